// A typed evaluator for the search-parameter expressions that are plain element paths — 93% of R4's
// (`Patient.name.family | Practitioner.name.family`, `(Observation.value as Quantity)`,
// `Account.subject.where(resolve() is Patient)`, `Patient.telecom.where(system='phone')`).
// Index extraction runs on every write, and walking the JSON directly is several times faster
// than interpreting FHIRPath. Any other expression returns undefined and is left to FHIRPath;
// search/fast-path.test.ts checks both give the same values on a corpus of resources.
import { getDataType } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema, TypedValue } from '@medplum/core';

type Evaluate = (resource: Record<string, unknown>) => TypedValue[];

interface Term {
  segments: string[];
  cast?: string;
  where?: { kind: 'resolve-is'; type: string } | { kind: 'system'; system: string };
}

const SEGMENT = '[a-z][A-Za-z0-9]*';
const TERM = new RegExp(
  `^\\(?([A-Z][A-Za-z]+)((?:\\.${SEGMENT})+)(?:\\s+as\\s+([A-Za-z]+)\\)?|\\.as\\(([A-Za-z]+)\\))?\\)?` +
    `(?:\\.where\\((?:resolve\\(\\) is ([A-Z][A-Za-z]+)|system='([a-z-]+)')\\))?$`,
);

function parseTerm(text: string, resourceType: string): Term | null | undefined {
  const m = TERM.exec(text.trim());
  if (!m) return undefined;
  const [, root, path, castA, castB, resolveType, system] = m;
  if (root !== resourceType) return null;
  const term: Term = { segments: path.slice(1).split('.'), cast: castA ?? castB };
  if (resolveType) term.where = { kind: 'resolve-is', type: resolveType };
  if (system) term.where = { kind: 'system', system };
  return term;
}

function findInner(s: InternalTypeSchema, path: string): InternalTypeSchema | undefined {
  for (const inner of s.innerTypes) {
    if (inner.path === path) return inner;
    const deeper = findInner(inner, path);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The schema that describes the children of an element of `typeCode`. */
function childSchema(owner: InternalTypeSchema, root: InternalTypeSchema, element: InternalSchemaElement, typeCode: string): InternalTypeSchema | undefined {
  if (typeCode === 'BackboneElement' || typeCode === 'Element') return findInner(owner, element.path) ?? findInner(root, element.path);
  if (!/^[A-Z]/.test(typeCode)) return undefined;
  try {
    return getDataType(typeCode);
  } catch {
    return undefined;
  }
}

interface Step {
  values: unknown[];
  type: string;
  schema?: InternalTypeSchema;
}

/** Children named `name` of every value, typed by the schema (choice elements by their JSON key). */
function step(current: Step[], name: string, root: InternalTypeSchema): Step[] | undefined {
  const out: Step[] = [];
  for (const { values, schema } of current) {
    if (!schema) return undefined;
    const element = schema.elements[name];
    const choice = element ? undefined : schema.elements[`${name}[x]`];
    if (!element && !choice) return undefined;
    for (const value of values) {
      if (value === null || typeof value !== 'object') continue;
      const obj = value as Record<string, unknown>;
      if (element) {
        const typeCode = element.type[0]?.code ?? '';
        if (element.type.length !== 1) return undefined;
        const child = obj[name];
        if (child === undefined) continue;
        out.push({ values: Array.isArray(child) ? child : [child], type: typeCode, schema: childSchema(schema, root, element, typeCode) });
      } else if (choice) {
        for (const t of choice.type) {
          const key = name + t.code[0].toUpperCase() + t.code.slice(1);
          const child = obj[key];
          if (child === undefined) continue;
          out.push({ values: Array.isArray(child) ? child : [child], type: t.code, schema: childSchema(schema, root, choice, t.code) });
        }
      }
    }
  }
  return out;
}

function referenceType(value: unknown): string | undefined {
  const ref = (value as { reference?: unknown } | null)?.reference;
  if (typeof ref !== 'string') return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+(?:\/_history\/[^/]+)?$/.exec(ref);
  return m?.[1];
}

function compileTerm(term: Term, resourceType: string): Evaluate | undefined {
  const root = getDataType(resourceType);
  // Resolve the path once against an empty resource to refuse paths the schema does not know.
  if (!step([{ values: [], type: resourceType, schema: root }], term.segments[0], root)) return undefined;
  return (resource) => {
    let current: Step[] = [{ values: [resource], type: resourceType, schema: root }];
    for (const name of term.segments) {
      const next = step(current, name, root);
      if (!next) return [];
      current = next;
    }
    const out: TypedValue[] = [];
    for (const { values, type } of current) {
      if (term.cast && type.toLowerCase() !== term.cast.toLowerCase()) continue;
      for (const value of values) {
        if (term.where?.kind === 'resolve-is' && referenceType(value) !== term.where.type) continue;
        if (term.where?.kind === 'system' && (value as { system?: unknown }).system !== term.where.system) continue;
        out.push({ type, value });
      }
    }
    return out;
  };
}

/** A direct evaluator for `expression` on resources of `resourceType`, or undefined when not a plain path. */
export function compileFastPath(expression: string, resourceType: string): Evaluate | undefined {
  const terms: Term[] = [];
  for (const text of expression.split('|')) {
    const term = parseTerm(text, resourceType);
    if (term === undefined) return undefined;
    if (term !== null) terms.push(term);
  }
  const evaluators: Evaluate[] = [];
  for (const term of terms) {
    const evaluate = compileTerm(term, resourceType);
    if (!evaluate) return undefined;
    evaluators.push(evaluate);
  }
  if (evaluators.length === 1) return evaluators[0];
  return (resource) => evaluators.flatMap((e) => e(resource));
}
