// R4 string search: case- and accent-insensitive prefix by default, `:exact`, `:contains`.
import type { TypedValue } from '@medplum/core';
import type { ParamType, IndexRow } from './types.js';
import { escapeLike, prefixRange } from '../sql.js';

/** Index and query values are compared in this form: accents removed, lower case. */
export function normaliseString(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().slice(0, 512);
}

const NAME_PARTS = ['family', 'given', 'prefix', 'suffix', 'text'];
const ADDRESS_PARTS = ['line', 'city', 'district', 'state', 'postalCode', 'country', 'text'];

function stringsOf(tv: TypedValue): string[] {
  const v = tv.value as unknown;
  if (typeof v === 'string') return [v];
  if (v === null || typeof v !== 'object') return [];
  const parts = tv.type === 'HumanName' ? NAME_PARTS : tv.type === 'Address' ? ADDRESS_PARTS : [];
  const obj = v as Record<string, unknown>;
  return parts.flatMap((p) => {
    const x = obj[p];
    return (Array.isArray(x) ? x : [x]).filter((s): s is string => typeof s === 'string');
  });
}

export const stringParam: ParamType = {
  table: 'sp_string',
  columns: { norm: 'text', exact: 'text' },
  extract(values) {
    const rows: IndexRow[] = [];
    for (const tv of values) for (const s of stringsOf(tv)) rows.push({ norm: normaliseString(s), exact: s });
    return rows;
  },
  condition(value, cols, params, modifier) {
    if (value.type !== 'string') throw new Error('string parameter given a non-string value');
    if (modifier === 'exact') return `${cols('exact')} = ${params.bind(value.text)}`;
    const needle = normaliseString(value.text);
    return modifier === 'contains' ? `${cols('norm')} LIKE ${params.bind(`%${escapeLike(needle)}%`)}` : prefixRange(cols('norm'), needle, params);
  },
  sortColumn: (cols) => cols('norm'),
};
