// R4 date search over date, dateTime, instant, Period and Timing, as [lo, hi) ranges in epoch ms.
import type { TypedValue } from '@medplum/core';
import { parseDateRange } from '../../../fhir/search/values.js';
import type { IndexRow, ParamType } from './types.js';
import { lazyRange, rangeCondition } from './ranges.js';

/** Open ends of a Period: beyond any date a resource can carry. */
export const OPEN_LOW = -9_000_000_000_000_000;
export const OPEN_HIGH = 9_000_000_000_000_000;

function rangesOf(tv: TypedValue): IndexRow[] {
  const v = tv.value as unknown;
  if (typeof v === 'string') {
    const r = parseDateRange(v);
    return r ? [{ lo: r.lo, hi: r.hi }] : [];
  }
  if (v === null || typeof v !== 'object') return [];
  const o = v as Record<string, unknown>;
  if (tv.type === 'Period') {
    const start = typeof o.start === 'string' ? parseDateRange(o.start) : undefined;
    const end = typeof o.end === 'string' ? parseDateRange(o.end) : undefined;
    if (!start && !end) return [];
    return [{ lo: start?.lo ?? OPEN_LOW, hi: end?.hi ?? OPEN_HIGH }];
  }
  if (tv.type === 'Timing') {
    const events = Array.isArray(o.event) ? (o.event as string[]) : [];
    const rows = events.flatMap((e) => rangesOf({ type: 'dateTime', value: e }));
    const bounds = (o.repeat as Record<string, unknown> | undefined)?.boundsPeriod;
    if (bounds) rows.push(...rangesOf({ type: 'Period', value: bounds }));
    return rows;
  }
  return [];
}

export const dateParam: ParamType = {
  table: 'sp_date',
  columns: { lo: 'bigint', hi: 'bigint' },
  extract: (values) => values.flatMap(rangesOf),
  condition(value, cols, params) {
    if (value.type !== 'date') throw new Error('date parameter given a non-date value');
    const bind = (v: unknown): string => `${params.bind(v)}::bigint`;
    const search = lazyRange(bind, value.lo, value.hi);
    const target = { lo: cols('lo'), hi: cols('hi') };
    if (value.prefix !== 'ap') return rangeCondition(value.prefix, target, search);
    // "approximately": 10% of the distance from now, at least the value's own precision.
    const margin = Math.max(Math.abs(Date.now() - value.lo) * 0.1, value.hi - value.lo);
    return rangeCondition('ap', target, search, lazyRange(bind, Math.floor(value.lo - margin), Math.ceil(value.hi + margin)));
  },
  sortColumn: (cols) => cols('lo'),
};
