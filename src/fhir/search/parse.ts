// Parses a FHIR search query (R4 §3.1.1 / search.html) into the SearchRequest IR.
// Unknown or malformed parameters raise FhirError('invalid') unless the caller asked for lenient handling.
import type { Definitions } from '../definitions.js';
import { FhirError, invalid } from '../errors.js';
import type { SearchParameter } from '../types.js';
import type { Filter, IncludeRule, SearchRequest, SortRule, TotalMode } from './types.js';
import { parseValue, splitEscaped } from './values.js';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Parameters that shape the result rather than select resources. */
const RESULT_PARAMETERS = new Set([
  '_count', '_sort', '_total', '_include', '_revinclude', '_summary', '_elements', '_format', '_pretty', '_cursor',
]);

const MODIFIERS_BY_TYPE: Record<string, ReadonlySet<string>> = {
  string: new Set(['exact', 'contains', 'missing']),
  token: new Set(['not', 'text', 'missing']),
  reference: new Set(['missing']),
  date: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  uri: new Set(['missing', 'below', 'above']),
  composite: new Set(['missing']),
};

const SORTABLE_TYPES = new Set(['string', 'token', 'date', 'number', 'quantity', 'uri', 'reference']);

export interface ParseOptions {
  lenient: boolean;
}

export function parseSearch(
  defs: Definitions,
  resourceType: string,
  params: Iterable<[string, string]>,
  options: ParseOptions = { lenient: false },
): SearchRequest {
  const request: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: DEFAULT_COUNT,
    total: 'none',
    include: [],
    revinclude: [],
    canonical: [],
    ignored: [],
  };
  for (const [key, value] of params) {
    try {
      if (parseResultParameter(defs, request, key, value)) continue;
      request.filters.push(parseFilter(defs, resourceType, key, value));
      request.canonical.push([key, value]);
    } catch (err) {
      if (options.lenient && err instanceof FhirError && err.category === 'invalid') request.ignored.push(key);
      else throw err;
    }
  }
  return request;
}

function parseResultParameter(defs: Definitions, request: SearchRequest, key: string, value: string): boolean {
  const [name, modifier] = key.split(':');
  if (!RESULT_PARAMETERS.has(name)) return false;
  switch (name) {
    case '_count': {
      if (!/^\d+$/.test(value)) throw invalid(`_count must be a non-negative integer, got '${value}'`, '_count');
      request.count = Math.min(Number(value), MAX_COUNT);
      break;
    }
    case '_total':
      if (!['none', 'estimate', 'accurate'].includes(value)) throw invalid(`_total must be none, estimate or accurate`, '_total');
      request.total = value as TotalMode;
      break;
    case '_sort':
      request.sort = value.split(',').map((k) => parseSort(defs, request.resourceType, k));
      break;
    case '_include':
    case '_revinclude': {
      if (modifier && modifier !== 'iterate' && modifier !== 'recurse') throw invalid(`Unknown modifier ${key}`, key);
      const rule = parseInclude(defs, value, modifier !== undefined, key);
      (name === '_include' ? request.include : request.revinclude).push(rule);
      break;
    }
    case '_cursor':
      request.cursor = value;
      return true;
    default:
      // _summary, _elements, _format, _pretty are applied when the response is rendered.
      break;
  }
  if (name !== '_format' && name !== '_pretty') request.canonical.push([key, value]);
  return true;
}

function parseSort(defs: Definitions, resourceType: string, raw: string): SortRule {
  const descending = raw.startsWith('-');
  const code = descending ? raw.slice(1) : raw;
  if (code === '_id' || code === '_lastUpdated') return { code, descending };
  const param = defs.searchParameters.get(resourceType)?.get(code);
  if (!param || !SORTABLE_TYPES.has(param.type as string)) throw invalid(`Cannot sort ${resourceType} by '${code}'`, '_sort');
  return { code, param, descending };
}

function parseInclude(defs: Definitions, value: string, iterate: boolean, key: string): IncludeRule {
  const [sourceType, code, targetType] = value.split(':');
  if (!defs.resourceTypes.has(sourceType)) throw invalid(`${key}: unknown resource type '${sourceType}'`, key);
  if (targetType !== undefined && !defs.resourceTypes.has(targetType)) throw invalid(`${key}: unknown target type '${targetType}'`, key);
  if (code !== '*') {
    const param = defs.searchParameters.get(sourceType)?.get(code ?? '');
    if (param?.type !== 'reference') throw invalid(`${key}: '${code}' is not a reference parameter of ${sourceType}`, key);
  }
  return { sourceType, code, targetType, iterate };
}

/** Parses one `key=value` filter, following chains (`a.b`) and reverse chains (`_has:`). */
export function parseFilter(defs: Definitions, resourceType: string, key: string, value: string): Filter {
  if (key.startsWith('_has:')) return parseHas(defs, resourceType, key, value);
  const dot = key.indexOf('.');
  if (dot > 0) return parseChain(defs, resourceType, key, dot, value);

  const [code, modifier, ...rest] = key.split(':');
  if (rest.length) throw invalid(`Malformed parameter name '${key}'`, key);
  const param = lookupParam(defs, resourceType, code, key);
  const type = param.type as string;
  if (modifier !== undefined) {
    if (type === 'reference' && defs.resourceTypes.has(modifier)) {
      const values = splitEscaped(value, ',').map((v) => {
        const ref = parseValue('reference', v, key);
        if (ref.type === 'reference' && ref.resourceType && ref.resourceType !== modifier) {
          throw invalid(`${key}: value '${v}' is not a ${modifier}`, key);
        }
        return { ...ref, resourceType: modifier } as typeof ref;
      });
      return { kind: 'param', code, param, values };
    }
    if (!MODIFIERS_BY_TYPE[type]?.has(modifier)) throw invalid(`Modifier ':${modifier}' is not supported on ${type} parameter '${code}'`, key);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw invalid(`${key} must be true or false`, key);
    return { kind: 'param', code, param, modifier, values: [], missing: value === 'true' };
  }
  if (value === '') throw invalid(`Parameter '${key}' has an empty value`, key);
  const components = type === 'composite' ? compositeComponentTypes(defs, param) : undefined;
  const valueType = modifier === 'text' ? 'string' : type;
  const values = splitEscaped(value, ',').map((v) => parseValue(valueType, v, key, components));
  return { kind: 'param', code, param, modifier, values };
}

function lookupParam(defs: Definitions, resourceType: string, code: string, key: string): SearchParameter {
  const param = defs.searchParameters.get(resourceType)?.get(code);
  if (!param) throw invalid(`Unknown search parameter '${code}' for ${resourceType}`, key);
  if (param.type === 'special' || (!param.expression && code !== '_id' && code !== '_lastUpdated')) {
    throw invalid(`Search parameter '${code}' is not supported`, key);
  }
  return param;
}

export function compositeComponentTypes(defs: Definitions, param: SearchParameter): string[] {
  return (param.component ?? []).map((c) => {
    const type = defs.searchParametersByUrl.get(c.definition as string)?.type;
    if (!type) throw new FhirError('fault', { diagnostics: `Composite ${param.url} names unknown component ${c.definition}` });
    return type;
  });
}

function parseChain(defs: Definitions, resourceType: string, key: string, dot: number, value: string): Filter {
  const [code, typeModifier] = key.slice(0, dot).split(':');
  const param = lookupParam(defs, resourceType, code, key);
  if (param.type !== 'reference') throw invalid(`Cannot chain through '${code}': it is not a reference parameter`, key);
  const rest = key.slice(dot + 1);
  const restCode = rest.split(/[.:]/)[0];
  const candidates = typeModifier ? [typeModifier] : ((param.target ?? []) as string[]);
  const targetTypes = candidates.filter((t) => restCode === '_id' || defs.searchParameters.get(t)?.has(restCode));
  if (typeModifier && !defs.resourceTypes.has(typeModifier)) throw invalid(`Unknown resource type '${typeModifier}' in ${key}`, key);
  if (targetTypes.length === 0) throw invalid(`No target of '${code}' has a search parameter '${restCode}'`, key);
  const targets = targetTypes.map((t) => ({ resourceType: t, next: parseFilter(defs, t, rest, value) }));
  return { kind: 'chain', code, param, targets };
}

function parseHas(defs: Definitions, resourceType: string, key: string, value: string): Filter {
  const m = /^_has:([A-Za-z]+):([A-Za-z0-9_-]+):(.+)$/.exec(key);
  if (!m) throw invalid(`Malformed _has parameter '${key}': expected _has:Type:reference:param`, key);
  const [, sourceType, referenceCode, rest] = m;
  if (!defs.resourceTypes.has(sourceType)) throw invalid(`Unknown resource type '${sourceType}' in ${key}`, key);
  const refParam = defs.searchParameters.get(sourceType)?.get(referenceCode);
  if (refParam?.type !== 'reference') throw invalid(`'${referenceCode}' is not a reference parameter of ${sourceType}`, key);
  if (refParam.target && !refParam.target.includes(resourceType as never)) {
    throw invalid(`${sourceType}.${referenceCode} cannot refer to ${resourceType}`, key);
  }
  return { kind: 'has', sourceType, referenceCode, next: parseFilter(defs, sourceType, rest, value) };
}
