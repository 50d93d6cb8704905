// Test support shared by the MODS unit tests and the transform benchmark: a validator that knows the
// MODS terminology, a deterministic mapping context, and one MODS → FHIR → MODS round trip.
import { loadDefinitions } from '../../src/fhir/definitions.js';
import { createTerminology } from '../../src/fhir/terminology.js';
import { UK_CORE_PROFILES } from '../../src/fhir/profiles/uk-core.js';
import type { Resource } from '../../src/fhir/types.js';
import { createValidator } from '../../src/fhir/validation.js';
import type { Validator } from '../../src/fhir/validation.js';
import { fhirToMods, modsToFhir, parseMods } from '../../src/mods/adapter.js';
import type { ModsClass, ModsRecord } from '../../src/mods/classes.js';
import type { FhirEntry, MappingContext } from '../../src/mods/mapping/shared.js';
import { terminologyResources } from '../../src/mods/terminology.js';

export function modsValidator(): Validator {
  const terminology = createTerminology();
  for (const r of terminologyResources()) terminology.add(r);
  const validator = createValidator(loadDefinitions(), terminology);
  for (const profile of UK_CORE_PROFILES) validator.addProfile(profile);
  return validator;
}

export function testContext(): MappingContext {
  let n = 0;
  return { newUuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, today: '2026-01-01' };
}

export const lookupIn = (entries: FhirEntry[]) => (reference: string) => entries.find((e) => e.fullUrl === reference)?.resource;

export interface RoundTrip {
  record: ModsRecord;
  entries: FhirEntry[];
  back: ModsRecord;
}

export function roundTrip(cls: ModsClass, input: unknown, ctx: MappingContext = testContext()): RoundTrip {
  const record = parseMods(cls, input);
  const entries = modsToFhir(cls, record, ctx);
  // Through JSON, as a stored and re-read resource would be.
  const stored: FhirEntry[] = JSON.parse(JSON.stringify(entries)) as FhirEntry[];
  const back = fhirToMods(cls, stored[0].resource as Resource, lookupIn(stored));
  return { record, entries, back };
}
