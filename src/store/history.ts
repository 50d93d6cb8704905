// _history at instance, type and system level: newest first, keyset-paged on the history sequence.
import type { Queryable } from './db/driver.js';
import type { StoredVersion } from './resources.js';
import { toStoredVersion, VERSION_COLUMNS } from './resources.js';

export interface HistoryQuery {
  tenant: string;
  type?: string;
  id?: string;
  /** Only versions last updated at or after this instant (ISO). */
  since?: string;
  /** Only versions last updated at or before this instant (ISO), R4 `_at` style upper bound. */
  before?: string;
  count: number;
  /** Sequence number to continue below (from a previous page). */
  beforeSeq?: string;
}

export interface HistoryPage {
  entries: StoredVersion[];
  nextSeq?: string;
  total: number;
}

export async function readHistory(q: Queryable, h: HistoryQuery): Promise<HistoryPage> {
  const params: unknown[] = [h.tenant];
  const where = ['tenant = $1'];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (h.type) add('type = ?', h.type);
  if (h.id) add('id = ?', h.id);
  if (h.since) add('last_updated >= ?::timestamptz', h.since);
  if (h.before) add('last_updated <= ?::timestamptz', h.before);
  const filterOnly = [...where];
  const filterParams = [...params];
  if (h.beforeSeq) add('seq < ?::bigint', h.beforeSeq);
  params.push(h.count + 1);
  const rows = await q.query<Parameters<typeof toStoredVersion>[0] & { seq: string }>(
    `SELECT ${VERSION_COLUMNS}, method, seq::text AS seq FROM resource_history WHERE ${where.join(' AND ')} ORDER BY resource_history.seq DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, h.count);
  const totalRows = await q.query<{ total: number }>(`SELECT count(*)::int AS total FROM resource_history WHERE ${filterOnly.join(' AND ')}`, filterParams);
  return {
    entries: page.map(toStoredVersion),
    nextSeq: rows.length > h.count && page.length ? page[page.length - 1].seq : undefined,
    total: Number(totalRows[0].total),
  };
}
