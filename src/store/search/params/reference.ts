// R4 reference search: `Type/id`, a bare id, an absolute URL, or a canonical URL.
import type { TypedValue } from '@medplum/core';
import { parseReferenceValue } from '../../../fhir/search/values.js';
import type { IndexRow, ParamType } from './types.js';

function rowsOf(tv: TypedValue): IndexRow[] {
  const v = tv.value as unknown;
  const raw = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>).reference : undefined;
  if (typeof raw !== 'string' || raw.startsWith('#')) return [];
  const ref = parseReferenceValue(raw.split('|')[0]);
  return [{ target_type: ref.resourceType ?? null, target_id: ref.id ?? null, url: ref.url ?? null }];
}

export const referenceParam: ParamType = {
  table: 'sp_reference',
  columns: { target_type: 'text', target_id: 'text', url: 'text' },
  extract: (values) => values.flatMap(rowsOf),
  condition(value, cols, params) {
    if (value.type !== 'reference') throw new Error('reference parameter given a non-reference value');
    if (value.url) return `${cols('url')} = ${params.bind(value.url)}`;
    const parts = [`${cols('target_id')} = ${params.bind(value.id)}`];
    if (value.resourceType) parts.push(`${cols('target_type')} = ${params.bind(value.resourceType)}`);
    return parts.join(' AND ');
  },
  sortColumn: (cols) => `(${cols('target_type')} || '/' || ${cols('target_id')})`,
};
