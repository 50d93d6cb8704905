// The audit trail's storage on both databases: a trail written a row per event (before decision 0020)
// moves into blocks and verifies as before, and searches page newest first across chains and blocks,
// reading only as many blocks as the page needs unless asked to count everything.
import { describe, expect, it } from 'vitest';
import { suiteDatabase, testDatabases } from '../../test/support/databases.js';
import { verifyAuditChain } from '../access/audit.js';
import type { Queryable } from './db/driver.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { appendAudit, arrayEventHashed, AuditBlockBuilder, blockKeys, chainHash, GENESIS_HASH, keyHashes, readBlockEvents, startAuditChain } from './audit.js';
import type { AuditRecord } from './audit.js';
import { searchAudit } from './audit-search.js';
import type { AuditQuery } from './audit-search.js';

const BASE = Date.UTC(2026, 10, 1);
const at = (i: number): string => new Date(BASE + i * 1000).toISOString();
const event = (i: number): AuditRecord => ({
  id: `event-${i}`, recorded: at(i), tenant: 'sunrise-care', agent: i % 2 ? 'odd-client' : 'even-client',
  content: JSON.stringify({ n: i }), entities: [`sunrise-care/Patient/p${i % 7}`],
});
const numbers = (events: { content: string }[]): number[] => events.map((e) => (JSON.parse(e.content) as { n: number }).n);

describe.each(await testDatabases())('audit trail storage on $name', (database) => {
  const suiteDb = suiteDatabase(database, { migrated: false });

  it('moves a trail written a row per event into blocks that verify and are searched as before', async () => {
    const db = suiteDb();
    await migrate(db, MIGRATIONS.filter((m) => m.version < 13));
    const chain = 'old-chain';
    let hash = GENESIS_HASH;
    for (let seq = 1; seq <= 250; seq++) {
      const r = event(seq);
      const prevHash = hash;
      hash = chainHash(prevHash, chain, arrayEventHashed({ ...r, seq }));
      await db.query('INSERT INTO audit_event (chain, seq, id, recorded, tenant, agent, content, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [chain, seq, r.id, r.recorded, r.tenant, r.agent, r.content, prevHash, hash]);
      await db.query('INSERT INTO audit_entity (reference, chain, seq) VALUES ($1, $2, $3)', [r.entities[0], chain, seq]);
    }
    await db.query('INSERT INTO audit_chain (chain, seq, hash) VALUES ($1, 250, $2)', [chain, hash]);

    await migrate(db);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, chains: 1, events: 250 });
    const blocks = await db.query<{ first_seq: string | number; last_seq: string | number }>('SELECT first_seq, last_seq FROM audit_block ORDER BY first_seq');
    expect(blocks.map((b) => [Number(b.first_seq), Number(b.last_seq)])).toEqual([[1, 100], [101, 200], [201, 250]]);
    // Found through the key hashes migration 15 computed in SQL, looked up by those the store computes.
    const found = await searchAudit(db, { entities: ['sunrise-care/Patient/p3'], limit: 5, offset: 0 }, 'platform');
    expect(found.total).toBe(36);
    expect(numbers(found.events)).toEqual([248, 241, 234, 227, 220]);
    // The trail goes on from where the old one ended.
    const moved = await appendAudit(db, { chain, seq: 250, hash }, [event(251)]);
    expect(moved?.seq).toBe(251);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, events: 251 });
  });

  it('pages newest first across interleaved chains and blocks, reading only the blocks a page needs', async () => {
    const db = suiteDb();
    await migrate(db);
    await db.query('TRUNCATE audit_chain');
    await db.query('ALTER TABLE audit_block DISABLE TRIGGER audit_block_append_only');
    await db.query('DELETE FROM audit_block');
    await db.query('ALTER TABLE audit_block ENABLE TRIGGER audit_block_append_only');
    // 600 events, each written by one of two processes, in blocks of one to three consecutive events.
    const heads = [await startAuditChain(db), await startAuditChain(db)];
    const pending: AuditRecord[][] = [[], []];
    let random = 42;
    const next = (n: number): number => (random = (random * 1103515245 + 12345) % 2 ** 31) % n;
    const all: { n: number; chain: string; seq: number; agent: string; entity: string }[] = [];
    for (let i = 1; i <= 600; i++) {
      const w = next(2);
      pending[w].push(event(i));
      all.push({ n: i, chain: heads[w].chain, seq: heads[w].seq + pending[w].length, agent: event(i).agent, entity: event(i).entities[0] });
      if (pending[w].length > next(3)) {
        heads[w] = (await appendAudit(db, heads[w], pending[w]))!;
        pending[w] = [];
      }
    }
    for (const w of [0, 1]) if (pending[w].length) heads[w] = (await appendAudit(db, heads[w], pending[w]))!;
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, chains: 2, events: 600 });

    let statements = 0;
    const counted: Queryable = { query: (text, params, options) => (statements++, db.query(text, params, options)) };
    const search = async (query: Omit<AuditQuery, 'limit' | 'offset'>, offset: number) => {
      statements = 0;
      const page = await searchAudit(counted, { ...query, limit: 25, offset }, 'platform');
      return { ...page, statements };
    };
    const newestFirst = [...all].sort((a, b) => b.n - a.n).map((e) => e.n);

    const first = await search({}, 0);
    expect(numbers(first.events)).toEqual(newestFirst.slice(0, 25));
    expect(first).toMatchObject({ total: 600, more: true });
    // The newest 50 blocks hold the page: one read of blocks and the count, not a read of all ~400.
    expect(first.statements).toBe(2);
    const last = await search({}, 575);
    expect(numbers(last.events)).toEqual(newestFirst.slice(575));
    expect(last.more).toBe(false);

    const odd = newestFirst.filter((n) => n % 2);
    const byAgent = await search({ agent: 'odd-client' }, 100);
    expect(numbers(byAgent.events)).toEqual(odd.slice(100, 125));
    expect(byAgent.total).toBeUndefined();
    expect(byAgent.more).toBe(true);
    const counting = await search({ agent: 'odd-client', total: true }, 100);
    expect(counting.total).toBe(300);
    expect(counting.statements).toBeGreaterThan(byAgent.statements);

    const period = await search({ from: at(200), to: at(299) }, 0);
    expect(numbers(period.events)).toEqual(newestFirst.filter((n) => n >= 200 && n <= 299).slice(0, 25));

    const p5 = newestFirst.filter((n) => n % 7 === 5);
    const byRecord = await search({ entities: ['sunrise-care/Patient/p5'] }, 50);
    expect(numbers(byRecord.events)).toEqual(p5.slice(50, 75));
    expect(byRecord.total).toBe(p5.length);
  });

  it('merges the key index\'s pending entries in small steps, not a quarter-second merge every few hundred blocks', async () => {
    const db = suiteDb();
    await migrate(db);
    const [index] = await db.query<{ options: string[] | null }>(`SELECT reloptions AS options FROM pg_class WHERE relname = 'audit_block_key_hashes'`);
    expect(index.options).toContain('gin_pending_list_limit=128');
  });
});


describe('an audit block built event by event', () => {
  const start = { chain: 'chain-a', seq: 41, hash: 'a'.repeat(64) };

  it('stores lines whose hashes link each event to the one before, as verification recomputes them', () => {
    const block = new AuditBlockBuilder(start);
    // Text beyond ASCII is hashed as the UTF-8 it is stored as.
    const records = [event(1), { ...event(2), content: JSON.stringify({ n: 2, name: 'Zoë 🙂' }) }, event(3)];
    for (const r of records) block.add(r);
    const stored = readBlockEvents(block.text());
    expect(stored.map((e) => e.seq)).toEqual([42, 43, 44]);
    expect(stored.map((e) => e.content)).toEqual(records.map((r) => r.content));
    let prevHash = start.hash;
    for (const e of stored) {
      expect(chainHash(prevHash, start.chain, e.hashed)).toBe(e.hash);
      prevHash = e.hash;
    }
    expect(block.head).toEqual({ chain: 'chain-a', seq: 44, hash: prevHash });
    expect([block.recordedFrom, block.recordedTo]).toEqual([at(1), at(3)]);
  });

  it('refuses content that is not one line without harming the block, and grows past its first buffer', () => {
    const block = new AuditBlockBuilder(start);
    block.add(event(1));
    expect(() => block.add({ ...event(2), content: '{"a":\n1}' })).toThrow(/without line breaks/);
    // Enough events to outgrow the block's first 64 kB several times over.
    for (let i = 2; i < 1200; i++) block.add(event(i));
    const stored = readBlockEvents(block.text());
    expect(stored).toHaveLength(1199);
    expect(numbers(stored)).toEqual(Array.from({ length: 1199 }, (_, k) => k + 1));
    expect(block.keyHashes()).toEqual(keyHashes(blockKeys(stored)));
  });
});
