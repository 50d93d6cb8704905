// Storage of the audit trail: batches appended in chain order under the chain head's row lock (so
// processes sharing a database extend one chain), pages of the chain for verification, and the
// events about given records, newest first.
import { createHash } from 'node:crypto';
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

export interface ChainedRecord extends Omit<AuditRecord, 'entities'> {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The hash of one link of the chain: everything stored about the event, and its predecessor's hash. */
export function chainHash(prevHash: string, r: Omit<ChainedRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(`${prevHash}\n${r.seq}\n${r.id}\n${r.recorded}\n${r.tenant}\n${r.agent}\n${r.content}`).digest('hex');
}

/** Appends events to the chain in one transaction; returns the sequence number of the last. */
export async function appendAudit(db: Database, records: readonly AuditRecord[]): Promise<number> {
  return db.transaction(async (tx) => {
    const [head] = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE');
    let seq = Number(head.seq);
    let hash = head.hash;
    const rows = records.map((r) => {
      seq++;
      const prevHash = hash;
      hash = chainHash(prevHash, { ...r, seq });
      return { ...r, seq, prevHash, hash };
    });
    const entities = rows.flatMap((r) => [...new Set(r.entities)].map((e) => [e, r.seq] as const));
    await tx.query(
      `WITH events AS (
         INSERT INTO audit_event (seq, id, recorded, tenant, agent, content, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])),
       entities AS (INSERT INTO audit_entity (reference, seq) SELECT * FROM unnest($9::text[], $10::bigint[]))
       UPDATE audit_chain SET seq = $11, hash = $12 WHERE id = 1`,
      [
        rows.map((r) => r.seq), rows.map((r) => r.id), rows.map((r) => r.recorded), rows.map((r) => r.tenant), rows.map((r) => r.agent),
        rows.map((r) => r.content), rows.map((r) => r.prevHash), rows.map((r) => r.hash),
        entities.map(([e]) => e), entities.map(([, s]) => s), seq, hash,
      ],
    );
    return seq;
  });
}

/** Where the chain ends. */
export async function auditChainHead(q: Queryable): Promise<{ seq: number; hash: string }> {
  const [head] = await q.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_chain WHERE id = 1');
  return { seq: Number(head.seq), hash: head.hash };
}

/** The chain from `afterSeq` on, a page at a time, in order. */
export async function* scanAudit(q: Queryable, pageSize = 5000): AsyncGenerator<ChainedRecord[]> {
  let after = 0;
  for (;;) {
    const rows = await q.query<{ seq: string | number; id: string; recorded: string; tenant: string; agent: string; content: string; prev_hash: string; hash: string }>(
      'SELECT seq, id, recorded, tenant, agent, content, prev_hash, hash FROM audit_event WHERE seq > $1 ORDER BY seq LIMIT $2',
      [after, pageSize],
    );
    if (!rows.length) return;
    yield rows.map((r) => ({ seq: Number(r.seq), id: r.id, recorded: r.recorded, tenant: r.tenant, agent: r.agent, content: r.content, prevHash: r.prev_hash, hash: r.hash }));
    after = Number(rows[rows.length - 1].seq);
  }
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
    where.push(`e.seq IN (SELECT seq FROM audit_entity WHERE reference = ANY($${params.length - 1}::text[])
      OR reference IN (SELECT tenant || '/Patient/' || patient_id FROM person_link WHERE person_id = ANY($${params.length}::text[])))`);
  }
  if (query.agent) add('e.agent = ?', query.agent);
  if (query.from) add('e.recorded >= ?', query.from);
  if (query.to) add('e.recorded <= ?', query.to);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM audit_event e ${filter}`, params);
  const rows = await q.query<{ content: string }>(`SELECT e.content FROM audit_event e ${filter} ORDER BY e.seq DESC LIMIT ${Number(query.limit)} OFFSET ${Number(query.offset)}`, params);
  return { total: Number(count.n), contents: rows.map((r) => r.content) };
}
