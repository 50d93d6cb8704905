// Extracts a resource version's search-index rows, and builds the statements that replace the
// previous version's rows with them (parts of one data-modifying statement, see resources.ts).
import type { Resource } from '../fhir/types.js';
import type { Queryable } from './db/driver.js';
import { INDEX_TABLES, PARAM_TYPES } from './search/params/index.js';
import type { IndexRow } from './search/params/index.js';
import type { ParamRegistry } from './search/registry.js';
import { typedResource } from './search/registry.js';
import type { SqlParams } from './search/sql.js';

export interface ResourceKey {
  tenant: string;
  type: string;
  id: string;
}

const COLUMNS_BY_TABLE: Record<string, Record<string, string>> = {
  ...Object.fromEntries(Object.values(PARAM_TYPES).map((t) => [t.table, t.columns])),
  sp_composite: { parts: 'jsonb' },
};

/** Index rows of a resource grouped by table; each row carries its parameter code. */
export function extractIndexRows(registry: ParamRegistry, resource: Resource): Map<string, IndexRow[]> {
  const byTable = new Map<string, IndexRow[]>();
  const typed = typedResource(resource);
  for (const param of registry.forType(resource.resourceType)) {
    const rows = param.extract(typed);
    if (rows.length === 0) continue;
    let list = byTable.get(param.table);
    if (!list) byTable.set(param.table, (list = []));
    const seen = new Set<string>();
    for (const row of rows) {
      const key = JSON.stringify(row);
      if (seen.has(key)) continue;
      seen.add(key);
      list.push({ code: param.code, ...row });
    }
  }
  return byTable;
}

/** Index rows of one version, tagged with the resource they belong to. */
export interface OwnedIndexRows {
  type: string;
  id: string;
  rows: Map<string, IndexRow[]>;
}

/** Statements deleting the index rows of the given resources (before their new version's rows go in). */
export function deleteIndexStatements(tenant: string, owners: { type: string; id: string }[], params: SqlParams): string[] {
  if (owners.length === 0) return [];
  const types = params.bind(owners.map((o) => o.type));
  const ids = params.bind(owners.map((o) => o.id));
  return INDEX_TABLES.map(
    (table) => `DELETE FROM ${table} WHERE tenant = ${tenant} AND (rtype, rid) IN (SELECT * FROM unnest(${types}::text[], ${ids}::text[]))`,
  );
}

/** One INSERT per index table for all rows of all the given versions, from unnest-ed arrays. */
export function insertIndexStatements(tenant: string, versions: OwnedIndexRows[], params: SqlParams): string[] {
  const byTable = new Map<string, { type: string; id: string; row: IndexRow }[]>();
  for (const v of versions) {
    for (const [table, rows] of v.rows) {
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      for (const row of rows) list.push({ type: v.type, id: v.id, row });
    }
  }
  const statements: string[] = [];
  for (const [table, list] of byTable) {
    const columns = ['code', ...Object.keys(COLUMNS_BY_TABLE[table])];
    const arrays = [
      params.bind(list.map((x) => x.type)),
      params.bind(list.map((x) => x.id)),
      ...columns.map((c) => params.bind(list.map(({ row }) => (row[c] === undefined || row[c] === null ? null : String(row[c]))))),
    ];
    const select = columns.map((c) => `u.${c}::${c === 'code' ? 'text' : COLUMNS_BY_TABLE[table][c]}`);
    statements.push(
      `INSERT INTO ${table} (tenant, rtype, rid, ${columns.join(', ')}) ` +
        `SELECT ${tenant}, u.rtype, u.rid, ${select.join(', ')} FROM unnest(${arrays.map((a) => `${a}::text[]`).join(', ')}) AS u(rtype, rid, ${columns.join(', ')})`,
    );
  }
  return statements;
}

/** Joins data-modifying statements into one round trip. */
export function asSingleStatement(ctes: string[]): string {
  if (ctes.length === 0) return 'SELECT 1';
  return `WITH ${ctes.map((c, i) => `w${i} AS (${c})`).join(', ')} SELECT 1`;
}

export async function runStatements(q: Queryable, ctes: string[], params: SqlParams): Promise<void> {
  await q.query(asSingleStatement(ctes), params.values);
}
