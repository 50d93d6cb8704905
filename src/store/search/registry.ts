// For each resource type, the search parameters we index: the R4 SearchParameter, its FHIRPath
// expression compiled once, and the type module that writes and queries its index rows.
import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core';
import type { FhirPathAtom, TypedValue } from '@medplum/core';
import type { Definitions } from '../../fhir/definitions.js';
import type { Resource, SearchParameter } from '../../fhir/types.js';
import { compileFastPath } from './fast-path.js';
import { compositeRows, PARAM_TYPES } from './params/index.js';
import type { CompositeComponent, IndexRow, ParamType } from './params/index.js';

/** Parameters served from the resource row itself rather than an index table. */
export const ROW_PARAMETERS = new Set(['_id', '_lastUpdated']);

/**
 * `meta.security`: indexed in sp_token like any token, and also kept on the resource row, where exact
 * `system|code` searches (the access policy's label filter) are served from (compile.ts).
 */
export const SECURITY_PARAM = '_security';

export interface IndexedParam {
  code: string;
  definition: SearchParameter;
  table: string;
  /** Index rows for one resource. */
  extract(resource: TypedValue): IndexRow[];
  /** The type module (for a composite, undefined: use `components`). */
  paramType?: ParamType;
  components?: ParamType[];
}

export interface ParamRegistry {
  forType(resourceType: string): readonly IndexedParam[];
  get(resourceType: string, code: string): IndexedParam | undefined;
}

export function createParamRegistry(defs: Definitions): ParamRegistry {
  const atoms = new Map<string, FhirPathAtom>();
  const compile = (expression: string): FhirPathAtom => {
    let atom = atoms.get(expression);
    if (!atom) {
      atom = parseFhirPath(expression);
      atoms.set(expression, atom);
    }
    return atom;
  };
  const evaluate = (expression: string, input: TypedValue): TypedValue[] => evalFhirPathTyped(compile(expression), [input], {
    '%resource': input,
    '%rootResource': input,
  });

  const build = (resourceType: string, sp: SearchParameter): IndexedParam | undefined => {
    const code = sp.code as string;
    const expression = sp.expression && concreteExpression(sp.expression, resourceType);
    if (!expression || ROW_PARAMETERS.has(code)) return undefined;
    if (sp.type === 'composite') {
      const parts = (sp.component ?? []).map((c) => ({
        type: PARAM_TYPES[defs.searchParametersByUrl.get(c.definition as string)?.type as string],
        expression: c.expression as string,
      }));
      if (parts.some((p) => !p.type)) return undefined;
      const components: CompositeComponent[] = parts.map((p) => ({ type: p.type, evaluate: (root) => evaluate(p.expression, root) }));
      return {
        code,
        definition: sp,
        table: 'sp_composite',
        components: parts.map((p) => p.type),
        extract: (resource) => compositeRows(evaluate(expression, resource), components),
      };
    }
    const paramType = PARAM_TYPES[sp.type as string];
    if (!paramType) return undefined;
    const fast = compileFastPath(expression, resourceType);
    const values = fast ? (resource: TypedValue) => fast(resource.value as Record<string, unknown>) : (resource: TypedValue) => evaluate(expression, resource);
    return { code, definition: sp, table: paramType.table, paramType, extract: (resource) => paramType.extract(values(resource)) };
  };

  const byType = new Map<string, Map<string, IndexedParam>>();
  const listByType = new Map<string, IndexedParam[]>();
  for (const [type, params] of defs.searchParameters) {
    const indexed = new Map<string, IndexedParam>();
    for (const [code, sp] of params) {
      const p = build(type, sp);
      if (p) indexed.set(code, p);
    }
    byType.set(type, indexed);
    listByType.set(type, [...indexed.values()]);
  }
  return {
    forType: (type) => listByType.get(type) ?? [],
    get: (type, code) => byType.get(type)?.get(code),
  };
}

export function typedResource(resource: Resource): TypedValue {
  return toTypedValue(resource);
}

/** FHIRPath evaluates `Resource.meta…` only when the root names the concrete type. */
export function concreteExpression(expression: string, resourceType: string): string {
  return expression.replace(/(^|[|(]\s*)(?:Resource|DomainResource)\./g, `$1${resourceType}.`);
}
