// Validation of a resource before it is stored: R4 structure and cardinality (medplum's validator),
// required bindings on coded elements, reference formats, and the shipped profiles (UK Core) that
// meta.profile names.
import { getDataType, OperationOutcomeError, validateResource as validateStructure } from '@medplum/core';
import type { InternalSchemaElement, InternalTypeSchema } from '@medplum/core';
import type { Definitions } from './definitions.js';
import type { Terminology } from './terminology.js';
import type { ProfileDefinition } from './profiles/profile.js';
import { checkProfile } from './profiles/profile.js';
import type { OperationOutcomeIssue, Resource } from './types.js';

/** Relative `Type/id[/_history/v]`, absolute URL, contained `#id`, or a transaction placeholder. */
const REFERENCE_FORMAT =
  /^(#[A-Za-z0-9\-.]*|[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?|[a-z][a-z0-9+.-]*:\/\/\S+|urn:(uuid|oid):\S+)$/;

export interface Validator {
  /** All problems found; empty when the resource is valid. */
  validate(resource: Resource): OperationOutcomeIssue[];
  /** Registers a profile that meta.profile may name. */
  addProfile(profile: ProfileDefinition): void;
  readonly profiles: ReadonlyMap<string, ProfileDefinition>;
}

/** `definitions` must be loaded: the validator works on the StructureDefinitions they index. */
export function createValidator(_definitions: Definitions, terminology: Terminology): Validator {
  const profiles = new Map<string, ProfileDefinition>();
  const structural = (resource: Resource): OperationOutcomeIssue[] => {
    try {
      return validateStructure(resource).filter((i) => i.severity === 'error');
    } catch (err) {
      if (err instanceof OperationOutcomeError) return (err.outcome.issue ?? []).filter((i) => i.severity !== 'information');
      throw err;
    }
  };
  return {
    profiles,
    addProfile(profile) {
      profiles.set(profile.url, profile);
    },
    validate(resource) {
      const issues = structural(resource);
      checkElements(resource as unknown as Record<string, unknown>, getDataType(resource.resourceType), resource.resourceType, terminology, issues);
      // Profiles we do not ship are not checked (R4 lets a server accept what it cannot verify).
      for (const url of resource.meta?.profile ?? []) {
        const profile = profiles.get(url.split('|')[0]);
        if (profile) issues.push(...checkProfile(profile, resource));
      }
      return issues.map(normaliseIssue);
    },
  };
}

/** medplum puts its message in details.text; we also expose it as diagnostics, which clients read. */
function normaliseIssue(issue: OperationOutcomeIssue): OperationOutcomeIssue {
  const text = issue.diagnostics ?? issue.details?.text;
  return { severity: issue.severity, code: issue.code === 'structure' ? 'structure' : issue.code, diagnostics: text, expression: issue.expression };
}

function checkElements(
  value: Record<string, unknown>,
  schema: InternalTypeSchema,
  path: string,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_') || raw === undefined) continue;
    const found = findElement(schema, key);
    if (!found) continue;
    const { element, typeCode } = found;
    const items = Array.isArray(raw) ? raw : [raw];
    items.forEach((item, index) => {
      const itemPath = Array.isArray(raw) ? `${path}.${key}[${index}]` : `${path}.${key}`;
      checkItem(item, element, typeCode, schema, itemPath, terminology, issues);
    });
  }
}

function checkItem(
  item: unknown,
  element: InternalSchemaElement,
  typeCode: string,
  parent: InternalTypeSchema,
  path: string,
  terminology: Terminology,
  issues: OperationOutcomeIssue[],
): void {
  if (typeCode === 'code' && typeof item === 'string') {
    const binding = element.binding;
    if (binding?.strength === 'required' && binding.valueSet) {
      const allowed = terminology.codesOf(binding.valueSet);
      if (allowed && !allowed.has(item)) {
        issues.push({
          severity: 'error',
          code: 'code-invalid',
          diagnostics: `'${item}' is not a code of the required value set ${binding.valueSet.split('|')[0]}`,
          expression: [path],
        });
      }
    }
    return;
  }
  if (item === null || typeof item !== 'object') return;
  const obj = item as Record<string, unknown>;
  if (typeCode === 'Reference' && typeof obj.reference === 'string' && !REFERENCE_FORMAT.test(obj.reference)) {
    issues.push({
      severity: 'error',
      code: 'value',
      diagnostics: `Invalid reference '${obj.reference}': expected Type/id, an absolute URL, #id or urn:uuid:`,
      expression: [`${path}.reference`],
    });
  }
  if (typeCode === 'Resource' && typeof obj.resourceType === 'string') {
    const schema = safeDataType(obj.resourceType);
    // An unknown contained type is reported by the structural validator; nothing to walk here.
    if (schema) checkElements(obj, schema, path, terminology, issues);
    return;
  }
  const schema = typeCode === 'BackboneElement' || typeCode === 'Element' ? innerType(parent, element.path) : safeDataType(typeCode);
  if (schema) checkElements(obj, schema, path, terminology, issues);
}

function findElement(schema: InternalTypeSchema, key: string): { element: InternalSchemaElement; typeCode: string } | undefined {
  const direct = schema.elements[key];
  if (direct) return { element: direct, typeCode: direct.type[0]?.code ?? '' };
  for (const [name, element] of Object.entries(schema.elements)) {
    if (!name.endsWith('[x]')) continue;
    const stem = name.slice(0, -3);
    if (!key.startsWith(stem)) continue;
    const suffix = key.slice(stem.length);
    const type = element.type.find((t) => t.code.toLowerCase() === suffix.toLowerCase());
    if (type) return { element, typeCode: type.code };
  }
  return undefined;
}

function innerType(parent: InternalTypeSchema, path: string): InternalTypeSchema | undefined {
  const walk = (s: InternalTypeSchema): InternalTypeSchema | undefined => {
    for (const inner of s.innerTypes) {
      if (inner.path === path) return inner;
      const deeper = walk(inner);
      if (deeper) return deeper;
    }
    return undefined;
  };
  return walk(parent) ?? (parent.parentType ? walk(parent.parentType) : undefined);
}

function safeDataType(typeCode: string): InternalTypeSchema | undefined {
  if (!/^[A-Z]/.test(typeCode)) return undefined;
  try {
    return getDataType(typeCode);
  } catch {
    return undefined;
  }
}
