// Writes a resource version's search-index rows, all tables in one statement (data-modifying CTEs),
// replacing the rows of the previous version.
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

/**
 * Appends to `ctes` the statements that delete the old index rows (when replacing) and insert the
 * new ones, binding values into `params`.
 */
export function indexStatements(
  key: ResourceKey,
  rows: Map<string, IndexRow[]> | undefined,
  replace: boolean,
  params: SqlParams,
  ctes: string[],
): void {
  if (!replace && !rows?.size) return;
  const tenant = params.bind(key.tenant);
  const type = params.bind(key.type);
  const id = params.bind(key.id);
  if (replace) {
    for (const table of INDEX_TABLES) {
      ctes.push(`DELETE FROM ${table} WHERE tenant = ${tenant} AND rtype = ${type} AND rid = ${id}`);
    }
  }
  for (const [table, list] of rows ?? []) {
    const columns = ['code', ...Object.keys(COLUMNS_BY_TABLE[table])];
    const arrays = columns.map((c) => params.bind(list.map((r) => (r[c] === undefined || r[c] === null ? null : String(r[c])))));
    const select = columns.map((c) => {
      const sqlType = c === 'code' ? 'text' : COLUMNS_BY_TABLE[table][c];
      return `u.${c}::${sqlType}`;
    });
    ctes.push(
      `INSERT INTO ${table} (tenant, rtype, rid, ${columns.join(', ')}) ` +
        `SELECT ${tenant}, ${type}, ${id}, ${select.join(', ')} FROM unnest(${arrays.map((a) => `${a}::text[]`).join(', ')}) AS u(${columns.join(', ')})`,
    );
  }
}

/** Joins data-modifying statements into one round trip. */
export function asSingleStatement(ctes: string[]): string {
  if (ctes.length === 0) return 'SELECT 1';
  return `WITH ${ctes.map((c, i) => `w${i} AS (${c})`).join(', ')} SELECT 1`;
}

export async function runStatements(q: Queryable, ctes: string[], params: SqlParams): Promise<void> {
  await q.query(asSingleStatement(ctes), params.values);
}
