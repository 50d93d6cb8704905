// Searching the audit trail: blocks are found by the hashes of their keys and their times, newest
// first, and only the events that really match are returned — a page at a time, reading only as many
// blocks as the page needs unless asked to count everything.
import type { Queryable } from './db/driver.js';
import { keyHashesStored, readBlockEvents } from './audit.js';
import type { BlockEvent } from './audit.js';

export interface AuditQuery {
  /** `{tenant}/{Type}/{id}` references; a platform person also stands for every source record linked to it. */
  entities?: string[];
  agent?: string;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
  /**
   * Count every match even where that means reading the whole trail (a client's or a period's events).
   * Without it, a search is counted when it names records (their blocks are few) or has no filter at all.
   */
  total?: boolean;
}

export interface AuditPage {
  /** The page's events, newest first. */
  events: BlockEvent[];
  /** How many match in all, when counted. */
  total?: number;
  /** Whether events match beyond this page. */
  more: boolean;
}

interface Match {
  chain: string;
  event: BlockEvent;
}

const newestFirst = ({ chain: c, event: a }: Match, { chain: d, event: b }: Match): number =>
  a.recorded < b.recorded ? 1 : a.recorded > b.recorded ? -1 : c < d ? -1 : c > d ? 1 : b.seq - a.seq;

/** Blocks read per round trip while searching. */
const SEARCH_BLOCKS = 50;

/**
 * Events matching the query, newest first. Blocks are found by their keys and times, newest first, and
 * read until the page is certain: no block not yet read can hold an event newer than the page's last
 * (or, when counting, until every candidate block is read).
 */
export async function searchAudit(q: Queryable, query: AuditQuery, centralTenant: string): Promise<AuditPage> {
  let records: Set<string> | undefined;
  if (query.entities) {
    // A person's golden record stands for the records it links: reads of those are reads of the person.
    const persons = query.entities.filter((e) => e.startsWith(`${centralTenant}/Patient/`)).map((e) => e.slice(`${centralTenant}/Patient/`.length));
    const linked = persons.length
      ? await q.query<{ ref: string }>(`SELECT tenant || '/Patient/' || patient_id AS ref FROM person_link WHERE person_id = ANY($1::text[])`, [persons])
      : [];
    records = new Set([...query.entities, ...linked.map((r) => r.ref)]);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  // Blocks are found by key hashes; `matches` keeps only the events that really name what was asked for.
  // As bigints here, so that the index's condition is a plain parameter.
  if (records) add('key_hashes && ?::bigint[]', keyHashesStored([...records].map((r) => `entity:${r}`)));
  if (query.agent) add('key_hashes @> ?::bigint[]', keyHashesStored([`agent:${query.agent}`]));
  if (query.from) add('recorded_to >= ?', query.from);
  if (query.to) add('recorded_from <= ?', query.to);

  const unfiltered = where.length === 0;
  const countAll = !unfiltered && (query.total === true || records !== undefined);
  const matches = (e: BlockEvent): boolean =>
    (!records || e.entities.some((r) => records.has(r))) &&
    (!query.agent || e.agent === query.agent) &&
    (!query.from || e.recorded >= query.from) &&
    (!query.to || e.recorded <= query.to);

  // One more than the page: whether a next page exists.
  const wanted = query.offset + query.limit + 1;
  let found: Match[] = [];
  let counted = 0;
  const keepNewest = (): void => {
    found.sort(newestFirst);
    if (found.length > wanted) found = found.slice(0, wanted);
  };
  let cursor: unknown[] = [];
  for (;;) {
    const after = cursor.length ? `(recorded_to, chain, first_seq) < ($${params.length + 1}, $${params.length + 2}, $${params.length + 3})` : '';
    const filter = [...where, after].filter(Boolean);
    const blocks = await q.query<{ chain: string; first_seq: string | number; recorded_to: string; events: string }>(
      `SELECT chain, first_seq, recorded_to, events FROM audit_block ${filter.length ? `WHERE ${filter.join(' AND ')}` : ''}
       ORDER BY recorded_to DESC, chain DESC, first_seq DESC LIMIT ${SEARCH_BLOCKS}`,
      [...params, ...cursor],
    );
    for (const block of blocks) {
      for (const e of readBlockEvents(block.events)) {
        if (!matches(e)) continue;
        counted++;
        found.push({ chain: block.chain, event: e });
      }
      if (found.length > 4 * wanted) keepNewest();
    }
    if (blocks.length < SEARCH_BLOCKS) break;
    const last = blocks[blocks.length - 1];
    if (!countAll && found.length >= wanted) {
      keepNewest();
      if (found[wanted - 1].event.recorded > last.recorded_to) break;
    }
    cursor = [last.recorded_to, last.chain, last.first_seq];
  }
  keepNewest();
  let total: number | undefined = countAll ? counted : undefined;
  if (unfiltered) {
    const [all] = await q.query<{ n: string | number | null }>('SELECT sum(last_seq - first_seq + 1) AS n FROM audit_block');
    total = Number(all.n ?? 0);
  }
  return { events: found.slice(query.offset, query.offset + query.limit).map((m) => m.event), ...(total !== undefined ? { total } : {}), more: counted > query.offset + query.limit };
}
