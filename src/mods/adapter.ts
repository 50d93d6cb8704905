// The adapter's two directions for one record, independent of storage and HTTP: MODS JSON → canonical
// record → FHIR resources, and FHIR resources → canonical MODS record. Every failure is a FhirError
// whose issues carry MODS paths.
import { FhirError } from '../fhir/errors.js';
import type { Resource } from '../fhir/types.js';
import type { ModsClass, ModsRecord } from './classes.js';
import type { FhirEntry, MappingContext, PartLookup } from './mapping/shared.js';
import { toIssues } from './validation.js';

/** The canonical record for a MODS payload, or 422 listing every problem with its MODS path. */
export function parseMods(cls: ModsClass, input: unknown): ModsRecord {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FhirError('unprocessable', { diagnostics: `${cls.key}: a MODS ${cls.resourceType} record must be a JSON object`, expression: cls.key, code: 'structure' });
  }
  const result = cls.schema.safeParse(input, { reportInput: true });
  if (!result.success) throw new FhirError('unprocessable', toIssues(cls.key, result.error));
  return result.data;
}

export function modsToFhir(cls: ModsClass, record: ModsRecord, ctx: MappingContext): FhirEntry[] {
  return cls.toFhir(record, ctx);
}

/**
 * The MODS record a FHIR resource (and the parts it lists) holds. A resource that lacks what MODS
 * requires, e.g. a Patient without an ethnic category, gets 422 naming the missing MODS elements.
 */
export function fhirToMods(cls: ModsClass, primary: Resource, lookup: PartLookup): ModsRecord {
  if (primary.resourceType !== cls.fhirType) {
    throw new FhirError('unprocessable', { diagnostics: `A MODS ${cls.resourceType} comes from a ${cls.fhirType}, not a ${primary.resourceType}`, expression: 'resourceType' });
  }
  const result = cls.schema.safeParse(cls.fromFhir(primary, lookup), { reportInput: true });
  if (!result.success) {
    throw new FhirError(
      'unprocessable',
      toIssues(cls.key, result.error).map((i) => ({ ...i, diagnostics: `${i.diagnostics} (the ${primary.resourceType} does not hold what MODS needs here)` })),
    );
  }
  return result.data;
}
