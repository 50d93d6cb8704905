// How many index rows a search value is expected to match, from the planner's own statistics: the most
// common values PostgreSQL records for the index tables' value columns at each ANALYZE. The search
// compiler reads a selective filter's ids from its covering index and intersects them (decision 0018);
// a filter on a common value (`gender=male`) would read a large share of the table that way, so it
// stays a per-row check, which PostgreSQL can stop early.
import type { Queryable } from '../db/driver.js';
import type { SearchValue } from '../../fhir/search/values.js';
import { normaliseString } from './params/index.js';

/** The value columns whose common values are looked up, by index table. */
const VALUE_COLUMNS: Readonly<Record<string, string>> = { sp_string: 'norm', sp_token: 'value', sp_reference: 'target_id' };

/** Filters expected to match more index rows than this are checked per row instead. */
export const SELECTIVE_ROWS = 10_000;
/** A date filter is selective when it asks for one range no wider than this (a birth date, a day, a year). */
const SELECTIVE_DATE_SPAN_MS = 366 * 86_400_000;
/** A string prefix shorter than this matches too many names to count as selective. */
const SELECTIVE_PREFIX = 3;

export interface Selectivity {
  /** Rows of `table` expected to carry `value` in its value column (0 when it is not a common value). */
  commonRows(table: string, value: string): number;
}

export class ValueFrequencies implements Selectivity {
  private common = new Map<string, Map<string, number>>();

  /** Reads the statistics the last ANALYZE gathered. */
  async load(q: Queryable): Promise<void> {
    const common = new Map<string, Map<string, number>>();
    for (const [table, column] of Object.entries(VALUE_COLUMNS)) {
      const stats = await q.query<{ vals: string[] | null; freqs: number[] | null; rows: string | number | null }>(
        `SELECT s.most_common_vals::text::text[] AS vals, s.most_common_freqs AS freqs,
           (SELECT sum(c.reltuples) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass($1)) AS rows
         FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = $1 AND s.attname = $2 AND s.inherited`,
        [table, column],
      );
      const values = new Map<string, number>();
      const { vals, freqs, rows } = stats[0] ?? {};
      if (vals && freqs) vals.forEach((v, i) => values.set(v, Math.round(Number(freqs[i]) * Math.max(0, Number(rows ?? 0)))));
      common.set(table, values);
    }
    this.common = common;
  }

  commonRows(table: string, value: string): number {
    return this.common.get(table)?.get(value) ?? 0;
  }
}

/** Whether one search value on an index table is expected to match few enough rows to read its ids. */
export function isSelective(table: string, value: SearchValue, selectivity: Selectivity | undefined): boolean {
  const few = (v: string): boolean => (selectivity?.commonRows(table, v) ?? 0) <= SELECTIVE_ROWS;
  switch (value.type) {
    case 'string': {
      const needle = normaliseString(value.text);
      return needle.length >= SELECTIVE_PREFIX && few(needle);
    }
    case 'token':
      return value.code !== undefined && value.code !== '' && few(value.code);
    case 'date':
      return value.prefix === 'eq' && value.hi - value.lo <= SELECTIVE_DATE_SPAN_MS;
    case 'reference':
      return value.url !== undefined || (value.resourceType !== undefined && value.id !== undefined && few(value.id));
    default:
      return false;
  }
}
