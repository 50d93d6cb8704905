// Search-parameter types by their R4 name.
import type { ParamType } from './types.js';
import { stringParam } from './string.js';
import { tokenParam } from './token.js';
import { dateParam } from './date.js';
import { numberParam } from './number.js';
import { quantityParam } from './quantity.js';
import { uriParam } from './uri.js';
import { referenceParam } from './reference.js';

export const PARAM_TYPES: Readonly<Record<string, ParamType>> = {
  string: stringParam,
  token: tokenParam,
  date: dateParam,
  number: numberParam,
  quantity: quantityParam,
  uri: uriParam,
  reference: referenceParam,
};

export const INDEX_TABLES = [...Object.values(PARAM_TYPES).map((t) => t.table), 'sp_composite'] as const;

export type { ParamType, IndexRow } from './types.js';
export { normaliseString } from './string.js';
export { compositeCondition, compositeRows, compositeTable } from './composite.js';
export type { CompositeComponent } from './composite.js';
