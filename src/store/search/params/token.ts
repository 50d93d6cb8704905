// R4 token search: `code`, `system|code`, `|code`, `system|`; `:text` on display text; `:not` is
// compiled by the caller as the negation of the plain match.
import type { TypedValue } from '@medplum/core';
import type { IndexRow, ParamType } from './types.js';
import { prefixRange } from '../sql.js';
import { normaliseString } from './string.js';

type Obj = Record<string, unknown>;
const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);

function codingRow(c: Obj): IndexRow {
  return { system: str(c.system), value: str(c.code), display: c.display ? normaliseString(String(c.display)) : null };
}

function rowsOf(tv: TypedValue): IndexRow[] {
  const v = tv.value as unknown;
  if (typeof v === 'boolean') return [{ system: null, value: String(v), display: null }];
  if (typeof v === 'string') return [{ system: null, value: v, display: null }];
  if (v === null || typeof v !== 'object') return [];
  const o = v as Obj;
  switch (tv.type) {
    case 'Coding':
      return [codingRow(o)];
    case 'CodeableConcept': {
      const rows = ((o.coding as Obj[] | undefined) ?? []).map(codingRow);
      if (typeof o.text === 'string') rows.push({ system: null, value: null, display: normaliseString(o.text) });
      return rows;
    }
    case 'Identifier': {
      const typeText = (o.type as Obj | undefined)?.text;
      return [{ system: str(o.system), value: str(o.value), display: typeof typeText === 'string' ? normaliseString(typeText) : null }];
    }
    case 'ContactPoint':
      return [{ system: null, value: str(o.value), display: null }];
    default:
      return [];
  }
}

export const tokenParam: ParamType = {
  table: 'sp_token',
  columns: { system: 'text', value: 'text', display: 'text' },
  extract: (values) => values.flatMap(rowsOf).filter((r) => r.value !== null || r.display !== null),
  condition(value, cols, params, modifier) {
    if (modifier === 'text') {
      if (value.type !== 'string') throw new Error(':text expects a string value');
      return prefixRange(cols('display'), normaliseString(value.text), params);
    }
    if (value.type !== 'token') throw new Error('token parameter given a non-token value');
    const parts: string[] = [];
    if (value.code !== undefined) parts.push(`${cols('value')} = ${params.bind(value.code)}`);
    if (value.system === '') parts.push(`${cols('system')} IS NULL`);
    else if (value.system !== undefined) parts.push(`${cols('system')} = ${params.bind(value.system)}`);
    return parts.length ? parts.join(' AND ') : 'TRUE';
  },
  sortColumn: (cols) => cols('value'),
};
