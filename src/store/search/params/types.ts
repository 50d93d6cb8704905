// The contract each search-parameter type implements: the rows it writes at index time and the SQL
// condition it compiles at query time live together (Blaze's SearchParam, Medplum's LookupTable).
import type { TypedValue } from '@medplum/core';
import type { SearchValue } from '../../../fhir/search/values.js';
import type { ColumnSource, SqlParams } from '../sql.js';

export type IndexRow = Record<string, string | number | null>;

export interface ParamType {
  /** The index table, e.g. `sp_token`. */
  readonly table: string;
  /** Columns after (tenant, rtype, rid, code), with their SQL types (used by unnest and composites). */
  readonly columns: Readonly<Record<string, 'text' | 'bigint' | 'numeric'>>;
  /** Index rows for the values a SearchParameter expression produced on a resource. */
  extract(values: TypedValue[]): IndexRow[];
  /** SQL condition matching one search value against one row. */
  condition(value: SearchValue, cols: ColumnSource, params: SqlParams, modifier?: string): string;
  /** SQL expression a sort uses for one row. */
  sortColumn(cols: ColumnSource): string;
}
