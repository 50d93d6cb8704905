// R4 quantity search: `[prefix]number|system|code`; the code matches the unit code, or the unit text.
import type { TypedValue } from '@medplum/core';
import type { IndexRow, ParamType } from './types.js';
import { numberCondition } from './number.js';

function rowsOf(tv: TypedValue): IndexRow[] {
  const v = tv.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || typeof v.value !== 'number') return [];
  const unit = typeof v.code === 'string' ? v.code : typeof v.unit === 'string' ? v.unit : typeof v.currency === 'string' ? v.currency : null;
  return [{ value: String(v.value), system: typeof v.system === 'string' ? v.system : null, unit }];
}

export const quantityParam: ParamType = {
  table: 'sp_quantity',
  columns: { value: 'numeric', system: 'text', unit: 'text' },
  extract: (values) => values.flatMap(rowsOf),
  condition(value, cols, params) {
    if (value.type !== 'quantity') throw new Error('quantity parameter given a non-quantity value');
    const parts = [numberCondition(value, cols('value'), params)];
    if (value.system) parts.push(`${cols('system')} = ${params.bind(value.system)}`);
    if (value.code) parts.push(`${cols('unit')} = ${params.bind(value.code)}`);
    return parts.join(' AND ');
  },
  sortColumn: (cols) => cols('value'),
};
