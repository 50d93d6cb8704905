// R4 uri search: exact match by default, `:below` (prefix) and `:above` (the value is a prefix of the search).
import type { ParamType } from './types.js';
import { prefixRange } from '../sql.js';

export const uriParam: ParamType = {
  table: 'sp_uri',
  columns: { value: 'text' },
  extract: (values) => values.filter((tv) => typeof tv.value === 'string').map((tv) => ({ value: tv.value as string })),
  condition(value, cols, params, modifier) {
    if (value.type !== 'uri') throw new Error('uri parameter given a non-uri value');
    if (modifier === 'below') return prefixRange(cols('value'), value.uri, params);
    if (modifier === 'above') return `${params.bind(value.uri)} LIKE (replace(replace(replace(${cols('value')}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;
    return `${cols('value')} = ${params.bind(value.uri)}`;
  },
  sortColumn: (cols) => cols('value'),
};
