// Resource versions: the current row and the append-only history, written together with their
// index rows. Reads return the stored JSON text exactly as written.
import type { Queryable } from './db/driver.js';
import type { ResourceKey } from './index-writer.js';
import { deleteIndexStatements, insertIndexStatements, runStatements } from './index-writer.js';
import type { IndexRow } from './search/params/index.js';
import { SECURITY_PARAM } from './search/registry.js';
import { SqlParams } from './search/sql.js';

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface StoredVersion {
  type: string;
  id: string;
  version: number;
  lastUpdated: string;
  deleted: boolean;
  /** The JSON text of the resource; empty for a deletion. */
  content: string;
  method?: WriteMethod;
}

export interface NewVersion extends Omit<ResourceKey, 'tenant'> {
  version: number;
  lastUpdated: string;
  deleted: boolean;
  method: WriteMethod;
  content: string;
  indexRows?: Map<string, IndexRow[]>;
}

interface VersionRow {
  type: string;
  id: string;
  version: number;
  last_updated: string;
  deleted: boolean;
  content: string;
  method?: WriteMethod;
}

export const VERSION_COLUMNS = `type, id, version, to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_updated, deleted, content`;

export function toStoredVersion(row: VersionRow): StoredVersion {
  return {
    type: row.type,
    id: row.id,
    version: Number(row.version),
    lastUpdated: row.last_updated,
    deleted: row.deleted,
    content: row.content,
    method: row.method,
  };
}

export async function readCurrent(q: Queryable, key: ResourceKey, forUpdate = false): Promise<StoredVersion | undefined> {
  const rows = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM resource WHERE tenant = $1 AND type = $2 AND id = $3${forUpdate ? ' FOR UPDATE' : ''}`,
    [key.tenant, key.type, key.id],
  );
  return rows[0] ? toStoredVersion(rows[0]) : undefined;
}

/** The current versions of several resources of one type, by id (optionally locked, in id order so two callers cannot deadlock). */
export async function readCurrentMany(q: Queryable, tenant: string, type: string, ids: readonly string[], forUpdate = false): Promise<Map<string, StoredVersion>> {
  if (!ids.length) return new Map();
  const rows = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM resource WHERE tenant = $1 AND type = $2 AND id = ANY($3::text[])${forUpdate ? ' ORDER BY id FOR UPDATE' : ''}`,
    [tenant, type, [...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, toStoredVersion(r)]));
}

export async function readVersion(q: Queryable, key: ResourceKey, version: number): Promise<StoredVersion | undefined> {
  const rows = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS}, method FROM resource_history WHERE tenant = $1 AND type = $2 AND id = $3 AND version = $4`,
    [key.tenant, key.type, key.id, version],
  );
  return rows[0] ? toStoredVersion(rows[0]) : undefined;
}

/** The version's security labels as `system|code` lines (from its `_security` index rows), '' for none. */
function securityOf(v: NewVersion): string {
  const rows = v.deleted ? undefined : v.indexRows?.get('sp_token');
  return (rows ?? []).filter((r) => r.code === SECURITY_PARAM && r.value).map((r) => `${r.system ?? ''}|${String(r.value)}`).join('\n');
}

/**
 * Writes new versions of resources of one tenant — history rows, current rows and index rows — in a
 * single statement: one round trip, atomic on its own, and never half-written. Version 1 inserts the
 * current row; later versions update it and replace its index rows. A resource appears once.
 * `outbox`: whether the versions get change-outbox rows (every tenant's writes but the central store's).
 */
export async function writeVersions(q: Queryable, tenant: string, versions: NewVersion[], outbox = true): Promise<void> {
  if (versions.length === 0) return;
  const params = new SqlParams();
  const t = params.bind(tenant);
  // Every array travels as text[] (drivers disagree on typing arrays of booleans and numbers).
  const column = (pick: (v: NewVersion) => string | number | boolean): string => `${params.bind(versions.map((v) => String(pick(v))))}::text[]`;
  const all =
    `(SELECT u.type, u.id, u.version::int AS version, u.last_updated::timestamptz AS last_updated, u.deleted::boolean AS deleted, u.method, u.content, ` +
    `string_to_array(nullif(u.security, ''), E'\\n') AS security ` +
    `FROM unnest(${column((v) => v.type)}, ${column((v) => v.id)}, ${column((v) => v.version)}, ${column((v) => v.lastUpdated)}, ` +
    `${column((v) => v.deleted)}, ${column((v) => v.method)}, ${column((v) => v.content)}, ${column(securityOf)}) AS u(type, id, version, last_updated, deleted, method, content, security)) AS u`;
  const ctes = [
    `INSERT INTO resource_history (tenant, type, id, version, last_updated, deleted, method, content) ` +
      `SELECT ${t}, u.type, u.id, u.version, u.last_updated, u.deleted, u.method, u.content FROM ${all}`,
    `INSERT INTO resource (tenant, type, id, version, last_updated, deleted, content, security) ` +
      `SELECT ${t}, u.type, u.id, u.version, u.last_updated, u.deleted, u.content, u.security FROM ${all} WHERE u.version = 1`,
  ];
  // The outbox row commits with the version, so the central platform sees every write exactly once.
  if (outbox) ctes.push(`INSERT INTO change_outbox (tenant, type, id, version, deleted) SELECT ${t}, u.type, u.id, u.version, u.deleted FROM ${all}`);
  const replaced = versions.filter((v) => v.version > 1);
  if (replaced.length) {
    ctes.push(
      `UPDATE resource r SET version = u.version, last_updated = u.last_updated, deleted = u.deleted, content = u.content, security = u.security ` +
        `FROM ${all} WHERE u.version > 1 AND r.tenant = ${t} AND r.type = u.type AND r.id = u.id`,
      ...deleteIndexStatements(t, replaced, params),
    );
  }
  ctes.push(...insertIndexStatements(t, versions.filter((v) => !v.deleted && v.indexRows).map((v) => ({ type: v.type, id: v.id, rows: v.indexRows as Map<string, IndexRow[]> })), params));
  await runStatements(q, ctes, params);
}

/** Every current, undeleted resource of a type on a tenant, a page at a time in id order (batch jobs over a whole store). */
export async function* scanCurrent(q: Queryable, tenant: string, type: string, pageSize = 2000): AsyncGenerator<{ id: string; content: string }[]> {
  let after = '';
  for (;;) {
    const page = await q.query<{ id: string; content: string }>(
      'SELECT id, content FROM resource WHERE tenant = $1 AND type = $2 AND id > $3 AND NOT deleted ORDER BY id LIMIT $4',
      [tenant, type, after, pageSize],
    );
    if (!page.length) return;
    yield page;
    after = page[page.length - 1].id;
  }
}
