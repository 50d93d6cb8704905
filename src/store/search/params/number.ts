// R4 number search: a value matches `eq` when inside the search value's implied precision range.
import type { TypedValue } from '@medplum/core';
import type { NumberValue, QuantityValue } from '../../../fhir/search/values.js';
import type { IndexRow, ParamType } from './types.js';
import type { ColumnSource, SqlParams } from '../sql.js';

/** The comparison shared by number and quantity parameters. */
export function numberCondition(value: NumberValue | QuantityValue, column: string, params: SqlParams): string {
  const n = (): string => `${params.bind(String(value.value))}::numeric`;
  const b = (v: number): string => `${params.bind(String(v))}::numeric`;
  switch (value.prefix) {
    case 'eq':
      return `(${column} >= ${b(value.lo)} AND ${column} < ${b(value.hi)})`;
    case 'ne':
      return `NOT (${column} >= ${b(value.lo)} AND ${column} < ${b(value.hi)})`;
    case 'gt':
    case 'sa':
      return `${column} > ${n()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${n()}`;
    case 'ge':
      return `${column} >= ${n()}`;
    case 'le':
      return `${column} <= ${n()}`;
    case 'ap': {
      const margin = Math.abs(value.value) * 0.1;
      return `(${column} >= ${b(value.value - margin)} AND ${column} <= ${b(value.value + margin)})`;
    }
  }
}

export const numberParam: ParamType = {
  table: 'sp_number',
  columns: { value: 'numeric' },
  extract: (values: TypedValue[]): IndexRow[] =>
    values.filter((tv) => typeof tv.value === 'number').map((tv) => ({ value: String(tv.value) })),
  condition(value, cols: ColumnSource, params) {
    if (value.type !== 'number') throw new Error('number parameter given a non-number value');
    return numberCondition(value, cols('value'), params);
  },
  sortColumn: (cols) => cols('value'),
};
