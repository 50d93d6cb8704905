// The audit log's write-behind batching, on the real databases: under steady load every batch waits
// for its oldest event to linger, so one statement carries many requests' events — and none is lost.
import { describe, expect, it } from 'vitest';
import type { Database } from '../store/index.js';
import type { QueryOptions } from '../store/db/driver.js';
import { suiteDatabase, testDatabases } from '../../test/support/databases.js';
import { eventually } from '../../test/support/eventually.js';
import { appendAudit, readBlockEvents, readChainHead } from '../store/index.js';
import { AuditLog, LINGER_MS, verifyAuditChain } from './audit.js';
import { auditRecord } from './audit-event.js';

const event = (i: number) =>
  auditRecord({
    id: `event-${i}`, recorded: new Date().toISOString(), tenant: 'sunrise-care', site: 'http://127.0.0.1/tenants/sunrise-care/fhir',
    agent: { clientId: 'sunrise-care-system', roles: ['system'] }, purpose: 'direct-care', action: 'R', interaction: { fhir: true, code: 'read' },
    status: 200, request: `GET /tenants/sunrise-care/fhir/Patient/p${i}`, entities: [{ key: `sunrise-care/Patient/p${i}`, url: `http://127.0.0.1/tenants/sunrise-care/fhir/Patient/p${i}` }], correlationId: `request-${i}`,
  });

describe.each(await testDatabases())('audit log batching on $name', (database) => {
  const suiteDb = suiteDatabase(database, { migrated: true });

  it('writes a steady stream of events in batches, not one statement per event or two', async () => {
    const db = suiteDb();
    // The real database, with its appends counted.
    let appends = 0;
    const counted: Database = { ...db, dialect: db.dialect, transaction: (fn) => db.transaction(fn), close: () => db.close(), query: (text, params, options) => {
      if (text.includes('INSERT INTO audit_block')) appends++;
      return db.query(text, params, options);
    } };
    const log = new AuditLog(counted, 'write-behind');
    const events = 400;
    // One event every half millisecond or so, as at 2,000 requests a second.
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      await log.record(() => event(i));
      if (i % 2) await new Promise((r) => setTimeout(r, 1));
    }
    const elapsed = performance.now() - started;
    await log.drain();
    const [{ n }] = await db.query<{ n: string | number }>('SELECT sum(last_seq - first_seq + 1) AS n FROM audit_block');
    expect(Number(n)).toBe(events);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    // A batch per linger period (and the last one); without lingering before every batch, the events
    // that arrive while one is written go out at once as the next: on PostgreSQL 62 statements, not 25.
    expect(appends).toBeLessThanOrEqual(Math.ceil(elapsed / LINGER_MS) + 2);
  });

  it('makes a write-behind event after the turn that answered its request, in the order handed over', async () => {
    const db = suiteDb();
    const log = new AuditLog(db, 'write-behind');
    // Its chain started: an event handed over before that is made once it is.
    await log.record(() => event(6999));
    await log.settled();
    const made: number[] = [];
    const handOver = (i: number) => log.record(() => (made.push(i), event(7000 + i)));
    await Promise.all([handOver(0), handOver(1)]);
    // Admitted, not yet made: the responses of this turn are written first.
    expect(made).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(made).toEqual([0, 1]);
    await handOver(2);
    await log.drain();
    expect(made).toEqual([0, 1, 2]);
    const blocks = await db.query<{ events: string }>('SELECT events FROM audit_block WHERE events LIKE $1 ORDER BY first_seq', ['%"event-700%']);
    expect(blocks.flatMap((b) => readBlockEvents(b.events).map((e) => e.id)).filter((id) => /^event-700\d$/.test(id))).toEqual(['event-7000', 'event-7001', 'event-7002']);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('goes on writing when an event cannot be made, and says so', async () => {
    const db = suiteDb();
    const errors: unknown[] = [];
    const log = new AuditLog(db, 'write-behind', (err) => errors.push(err));
    await log.record(() => event(3000));
    await log.settled();
    // The first event of a new block fails: the block must not be left empty in the queue.
    log.record(() => {
      throw new Error('a fault in making the event');
    });
    await log.settled();
    for (let i = 1; i < 4; i++) await log.record(() => event(3000 + i));
    await log.drain();
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).cause)).toMatch(/a fault in making the event/);
    const blocks = await db.query<{ events: string }>('SELECT events FROM audit_block WHERE events LIKE $1 ORDER BY first_seq', ['%"event-300%']);
    expect(blocks.flatMap((b) => readBlockEvents(b.events).map((e) => e.id)).filter((id) => /^event-300\d$/.test(id))).toEqual(['event-3000', 'event-3001', 'event-3002', 'event-3003']);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('fails a synchronous request closed when the chain cannot be started, and writes its event once it can', async () => {
    const db = suiteDb();
    let down = true;
    const starting: Database = { ...db, dialect: db.dialect, transaction: (fn) => db.transaction(fn), close: () => db.close(), query: <Row,>(text: string, params?: readonly unknown[], options?: QueryOptions) =>
      down && text.includes('INSERT INTO audit_chain') ? Promise.reject(new Error('database unavailable')) : db.query<Row>(text, params, options) };
    const log = new AuditLog(starting, 'synchronous');
    await expect(log.record(() => event(4000))).rejects.toThrow(/database unavailable/);
    down = false;
    await log.drain();
    const blocks = await db.query<{ events: string }>('SELECT events FROM audit_block WHERE events LIKE $1', ['%"event-4000"%']);
    expect(blocks.flatMap((b) => readBlockEvents(b.events).map((e) => e.id))).toContain('event-4000');
  });

  it('does not write a batch twice when its append committed but the answer was lost', async () => {
    const db = suiteDb();
    const before = await db.query<{ n: string | number | null }>('SELECT sum(last_seq - first_seq + 1) AS n FROM audit_block');
    // The first append reaches the database and commits; its answer never arrives.
    let lost = false;
    const flaky: Database = { ...db, dialect: db.dialect, transaction: (fn) => db.transaction(fn), close: () => db.close(), query: async <Row,>(text: string, params?: readonly unknown[], options?: QueryOptions) => {
      const result = await db.query<Row>(text, params, options);
      if (!lost && text.includes('INSERT INTO audit_block')) {
        lost = true;
        throw new Error('connection lost after commit');
      }
      return result;
    } };
    const log = new AuditLog(flaky, 'write-behind');
    const written = async (): Promise<number> => Number((await db.query<{ n: string | number | null }>('SELECT sum(last_seq - first_seq + 1) AS n FROM audit_block'))[0].n) - Number(before[0].n ?? 0);
    for (let i = 0; i < 5; i++) await log.record(() => event(1000 + i));
    // Refused while the outcome is unknown (fail closed), then retried: the trail holds the five once.
    await eventually(async () => {
      await log.settled();
      expect(await written()).toBe(5);
      await log.record(() => event(1005));
    });
    for (let i = 6; i < 10; i++) await log.record(() => event(1000 + i));
    await log.drain();
    expect(lost).toBe(true);
    expect(await written()).toBe(10);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('links queued events afresh when its chain was extended by someone else', async () => {
    const db = suiteDb();
    const log = new AuditLog(db, 'write-behind');
    for (let i = 0; i < 3; i++) await log.record(() => event(2000 + i));
    await log.settled();
    const [{ chain }] = await db.query<{ chain: string }>('SELECT chain FROM audit_block WHERE events LIKE $1', ['%event-2000%']);
    // Events handed over now are linked after the head the log knows; then another writer moves it on.
    for (let i = 3; i < 6; i++) await log.record(() => event(2000 + i));
    await new Promise((r) => setImmediate(r));
    const head = await readChainHead(db, chain);
    expect(head.seq).toBe(3);
    expect(await appendAudit(db, head, [event(2100), event(2101)])).toBeDefined();
    await log.drain();
    // The log's three later events follow the other writer's two, linked anew: the chain verifies.
    expect((await readChainHead(db, chain)).seq).toBe(8);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
