// The one parsed form of a FHIR search (Medplum's SearchRequest idea): compiled to SQL by store/search,
// evaluated in memory by fhir/search/match (subscriptions, write checks).
import type { SearchParameter } from '../types.js';
import type { SearchValue } from './values.js';

/** A condition on one search parameter; several values are OR-ed. */
export interface ParamFilter {
  kind: 'param';
  code: string;
  param: SearchParameter;
  modifier?: string;
  values: SearchValue[];
  /** Set for `:missing=true|false`; values is then empty. */
  missing?: boolean;
}

/** `subject:Patient.name=x`: resources whose reference points at a resource matching `next`. */
export interface ChainFilter {
  kind: 'chain';
  code: string;
  param: SearchParameter;
  /** One branch per possible target type, each with the rest of the chain parsed for that type. */
  targets: { resourceType: string; next: Filter }[];
}

/** `_has:Observation:patient:code=x`: resources referred to by a `sourceType` matching `next`. */
export interface HasFilter {
  kind: 'has';
  sourceType: string;
  referenceCode: string;
  next: Filter;
}

export type Filter = ParamFilter | ChainFilter | HasFilter;

export interface SortRule {
  code: string;
  param?: SearchParameter;
  descending: boolean;
}

export interface IncludeRule {
  sourceType: string;
  /** Reference search parameter code, or '*' for every reference parameter of sourceType. */
  code: string;
  targetType?: string;
  iterate: boolean;
}

export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchRequest {
  resourceType: string;
  filters: Filter[];
  sort: SortRule[];
  count: number;
  total: TotalMode;
  include: IncludeRule[];
  revinclude: IncludeRule[];
  /** Opaque, signed paging cursor from a previous page's `next` link. */
  cursor?: string;
  /** The parameters as understood, in canonical form, for the `self` link and cursor binding. */
  canonical: [string, string][];
  /** Parameters ignored under `Prefer: handling=lenient`. */
  ignored: string[];
}
