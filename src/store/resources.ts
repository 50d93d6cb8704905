// Resource versions: the current row and the append-only history, written together with their
// index rows. Reads return the stored JSON text exactly as written.
import type { Queryable } from './db/driver.js';
import type { ResourceKey } from './index-writer.js';
import { indexStatements, runStatements } from './index-writer.js';
import type { IndexRow } from './search/params/index.js';
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

export interface NewVersion extends ResourceKey {
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

export async function readVersion(q: Queryable, key: ResourceKey, version: number): Promise<StoredVersion | undefined> {
  const rows = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS}, method FROM resource_history WHERE tenant = $1 AND type = $2 AND id = $3 AND version = $4`,
    [key.tenant, key.type, key.id, version],
  );
  return rows[0] ? toStoredVersion(rows[0]) : undefined;
}

/**
 * Writes a new version: history row, current row and index rows in a single statement, so a
 * create needs one round trip and can never be half-written.
 */
export async function writeVersion(q: Queryable, v: NewVersion, extraStatements: (params: SqlParams) => string[] = () => []): Promise<void> {
  const params = new SqlParams();
  const tenant = params.bind(v.tenant);
  const type = params.bind(v.type);
  const id = params.bind(v.id);
  const version = params.bind(v.version);
  const lastUpdated = params.bind(v.lastUpdated);
  const deleted = params.bind(v.deleted);
  const content = params.bind(v.content);
  const method = params.bind(v.method);
  const ctes = [
    `INSERT INTO resource_history (tenant, type, id, version, last_updated, deleted, method, content) ` +
      `VALUES (${tenant}, ${type}, ${id}, ${version}::int, ${lastUpdated}::timestamptz, ${deleted}::boolean, ${method}, ${content})`,
    v.version === 1
      ? `INSERT INTO resource (tenant, type, id, version, last_updated, deleted, content) ` +
        `VALUES (${tenant}, ${type}, ${id}, ${version}::int, ${lastUpdated}::timestamptz, ${deleted}::boolean, ${content})`
      : `UPDATE resource SET version = ${version}::int, last_updated = ${lastUpdated}::timestamptz, deleted = ${deleted}::boolean, content = ${content} ` +
        `WHERE tenant = ${tenant} AND type = ${type} AND id = ${id}`,
  ];
  indexStatements(v, v.deleted ? undefined : v.indexRows, v.version > 1, params, ctes);
  ctes.push(...extraStatements(params));
  await runStatements(q, ctes, params);
}
