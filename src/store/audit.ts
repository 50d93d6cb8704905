// Storage of the audit trail. Each writer (a platform process) owns a chain: it starts one, keeps its
// head in memory and appends a batch in one statement that also moves the head — only if the head is
// where the writer left it, so a chain is never forked. Verification walks every chain.
import { createHash, randomUUID } from 'node:crypto';
import type { Database, Queryable } from './db/driver.js';

export interface AuditRecord {
  id: string;
  /** ISO instant, as in the AuditEvent. */
  recorded: string;
  tenant: string;
  /** The client (or `anonymous`). */
  agent: string;
  /** The AuditEvent JSON. */
  content: string;
  /** `{tenant}/{Type}/{id}` of every record the event is about. */
  entities: string[];
}

export interface ChainHead {
  chain: string;
  seq: number;
  hash: string;
}

export interface ChainedRecord extends Omit<AuditRecord, 'entities'> {
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of one link of a chain: everything stored about the event, and its predecessor's hash. */
export function chainHash(prevHash: string, r: Omit<ChainedRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(`${prevHash}\n${r.chain}\n${r.seq}\n${r.id}\n${r.recorded}\n${r.tenant}\n${r.agent}\n${r.content}`).digest('hex');
}

/** Starts a new chain for a writer. */
export async function startAuditChain(q: Queryable): Promise<ChainHead> {
  const head = { chain: randomUUID(), seq: 0, hash: GENESIS_HASH };
  await q.query('INSERT INTO audit_chain (chain, seq, hash) VALUES ($1, $2, $3)', [head.chain, head.seq, head.hash]);
  return head;
}

export async function readChainHead(q: Queryable, chain: string): Promise<ChainHead> {
  const [row] = await q.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_chain WHERE chain = $1', [chain]);
  return { chain, seq: Number(row.seq), hash: row.hash };
}

/**
 * Appends events after `head` in one statement; returns the new head, or undefined when the chain's
 * head in the database is no longer `head` (nothing is written then).
 */
export async function appendAudit(db: Database, head: ChainHead, records: readonly AuditRecord[]): Promise<ChainHead | undefined> {
  let { seq, hash } = head;
  const rows = records.map((r) => {
    seq++;
    const prevHash = hash;
    hash = chainHash(prevHash, { ...r, chain: head.chain, seq });
    return { seq, id: r.id, recorded: r.recorded, tenant: r.tenant, agent: r.agent, content: r.content, prev_hash: prevHash, hash, entities: [...new Set(r.entities)] };
  });
  // The batch travels as one JSON text: serialised natively and parsed by the server in one pass,
  // where text arrays cost an escaping pass in JavaScript per value (a third of an event's Node CPU).
  const [moved] = await db.query<{ n: string | number }>(
    `WITH head AS (UPDATE audit_chain SET seq = $3, hash = $4 WHERE chain = $1 AND seq = $2 RETURNING chain),
     batch AS (SELECT * FROM json_to_recordset($5::text::json)
       AS r(seq bigint, id text, recorded text, tenant text, agent text, content text, prev_hash text, hash text, entities text[])),
     events AS (
       INSERT INTO audit_event (chain, seq, id, recorded, tenant, agent, content, prev_hash, hash)
       SELECT (SELECT chain FROM head), seq, id, recorded, tenant, agent, content, prev_hash, hash FROM batch
       WHERE EXISTS (SELECT 1 FROM head)),
     entities AS (
       INSERT INTO audit_entity (reference, chain, seq)
       SELECT e, (SELECT chain FROM head), seq FROM batch, unnest(entities) AS e WHERE EXISTS (SELECT 1 FROM head))
     SELECT count(*) AS n FROM head`,
    [head.chain, head.seq, seq, hash, JSON.stringify(rows)],
  );
  return Number(moved.n) === 1 ? { chain: head.chain, seq, hash } : undefined;
}

/** Every chain's head. */
export async function auditChains(q: Queryable): Promise<ChainHead[]> {
  return (await q.query<{ chain: string; seq: string | number; hash: string }>('SELECT chain, seq, hash FROM audit_chain ORDER BY started, chain')).map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash }));
}

/** One chain, a page at a time, in order. */
export async function* scanAudit(q: Queryable, chain: string, pageSize = 5000): AsyncGenerator<ChainedRecord[]> {
  let after = 0;
  for (;;) {
    const rows = await q.query<{ seq: string | number; id: string; recorded: string; tenant: string; agent: string; content: string; prev_hash: string; hash: string }>(
      'SELECT seq, id, recorded, tenant, agent, content, prev_hash, hash FROM audit_event WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [chain, after, pageSize],
    );
    if (!rows.length) return;
    yield rows.map((r) => ({ chain, seq: Number(r.seq), id: r.id, recorded: r.recorded, tenant: r.tenant, agent: r.agent, content: r.content, prevHash: r.prev_hash, hash: r.hash }));
    after = Number(rows[rows.length - 1].seq);
  }
}

/** Events of chains that have no head row (a chain whose head was deleted): found by verification. */
export async function orphanedAuditChains(q: Queryable): Promise<string[]> {
  return (await q.query<{ chain: string }>('SELECT DISTINCT e.chain FROM audit_event e LEFT JOIN audit_chain c ON c.chain = e.chain WHERE c.chain IS NULL')).map((r) => r.chain);
}

export interface AuditQuery {
  /** `{tenant}/{Type}/{id}` references; a platform person also stands for every source record linked to it. */
  entities?: string[];
  agent?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** Events matching the query, newest first, and how many match in all. */
export async function searchAudit(q: Queryable, query: AuditQuery, centralTenant: string): Promise<{ total: number; contents: string[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (query.entities) {
    // A person's golden record stands for the records it links: reads of those are reads of the person.
    const persons = query.entities.filter((e) => e.startsWith(`${centralTenant}/Patient/`)).map((e) => e.slice(`${centralTenant}/Patient/`.length));
    params.push(query.entities, persons);
    where.push(`(e.chain, e.seq) IN (SELECT chain, seq FROM audit_entity WHERE reference = ANY($${params.length - 1}::text[])
      OR reference IN (SELECT tenant || '/Patient/' || patient_id FROM person_link WHERE person_id = ANY($${params.length}::text[])))`);
  }
  if (query.agent) add('e.agent = ?', query.agent);
  if (query.from) add('e.recorded >= ?', query.from);
  if (query.to) add('e.recorded <= ?', query.to);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM audit_event e ${filter}`, params);
  const rows = await q.query<{ content: string }>(`SELECT e.content FROM audit_event e ${filter} ORDER BY e.recorded DESC, e.chain, e.seq DESC LIMIT ${Number(query.limit)} OFFSET ${Number(query.offset)}`, params);
  return { total: Number(count.n), contents: rows.map((r) => r.content) };
}
