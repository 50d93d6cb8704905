// Carer (unpaid) ⇄ RelatedPerson whose first relationship is UK Core's "Carer" role, followed by the
// family relationship when known (mods.md §4.2).
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { Carer, CarerInput } from '../model/carer.js';
import { VALUE_SETS } from '../terminology.js';
import { personOfSubject, relatedPersonEntry } from './related-person.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import { booleanExt, codingExt, compact, fromConcept, readBoolean, readCodingExt, toConcept } from './shared.js';

const CARER_ROLE = { coding: [{ system: VALUE_SETS.personRelationship.system, code: 'Carer', display: 'Carer' }] };
const isCarerRole = (cc: { coding?: { system?: string; code?: string }[] }): boolean =>
  cc.coding?.some((c) => c.system === VALUE_SETS.personRelationship.system && c.code === 'Carer') ?? false;

export function toFhir(c: Carer, ctx: MappingContext): FhirEntry[] {
  return [relatedPersonEntry(c, 'carer', ctx, {
    extension: [...codingExt('carer-status', c.carerStatus), ...booleanExt('lives-with-subject', c.livesWithSubject), ...booleanExt('key-contact', c.isKeyContact)],
    relationship: [CARER_ROLE, ...(c.relationship ? [toConcept(c.relationship) ?? {}] : [])],
  })];
}

export function fromFhir(r: RelatedPerson): Draft<CarerInput> {
  return compact({
    resourceType: 'MODS-Carer',
    ...personOfSubject(r),
    relationship: fromConcept(r.relationship?.find((cc) => !isCarerRole(cc))),
    carerStatus: readCodingExt(r, 'carer-status'),
    livesWithSubject: readBoolean(r, 'lives-with-subject'),
    isKeyContact: readBoolean(r, 'key-contact'),
  });
}
