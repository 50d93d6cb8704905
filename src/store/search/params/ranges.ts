// Prefix semantics shared by date, number and quantity (R4 §3.1.1.4.1-3): the search value is a
// range [lo, hi); the indexed value is a range too (a point for numbers).
import type { Prefix } from '../../../fhir/search/values.js';

export interface RangeSql {
  lo: string;
  hi: string;
}

/** Range ends bound only when used, so every placeholder in the statement has a typed use. */
export interface LazyRange {
  lo: () => string;
  hi: () => string;
}

export function lazyRange(bind: (value: unknown) => string, lo: unknown, hi: unknown): LazyRange {
  let l: string | undefined;
  let h: string | undefined;
  return { lo: () => (l ??= bind(lo)), hi: () => (h ??= bind(hi)) };
}

/** The condition comparing an indexed range (target) with a search range under a prefix. */
export function rangeCondition(prefix: Prefix, target: RangeSql, lazy: LazyRange, approxMargin?: LazyRange): string {
  const search = {
    get lo() {
      return lazy.lo();
    },
    get hi() {
      return lazy.hi();
    },
  };
  // `target.lo < search.hi` follows from the others (lo < hi); it closes the index range on lo.
  const contains = (): string => `(${target.lo} >= ${search.lo} AND ${target.lo} < ${search.hi} AND ${target.hi} <= ${search.hi})`;
  switch (prefix) {
    case 'eq':
      return contains();
    case 'ne':
      return `NOT ${contains()}`;
    case 'gt':
      return `${target.hi} > ${search.hi}`;
    case 'lt':
      return `${target.lo} < ${search.lo}`;
    case 'ge':
      return `(${target.hi} > ${search.hi} OR ${contains()})`;
    case 'le':
      return `(${target.lo} < ${search.lo} OR ${contains()})`;
    case 'sa':
      return `${target.lo} >= ${search.hi}`;
    case 'eb':
      return `${target.hi} <= ${search.lo}`;
    case 'ap': {
      const m = approxMargin ?? lazy;
      return `(${target.hi} > ${m.lo()} AND ${target.lo} < ${m.hi()})`;
    }
  }
}
