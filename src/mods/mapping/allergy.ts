// Allergy ⇄ UK Core AllergyIntolerance (SCIP MODS-AllergyIntolerance). "No known drug allergy" is
// just a causative agent code (SNOMED 409137002), as UK Core does.
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import type { Allergy, AllergyInput } from '../model/allergy.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  compact, fromConcept, fromReference, fromSubjectReference, readIdentity, primaryEntry, someOrUndefined, toConcept,
  toReference, toSubjectReference,
} from './shared.js';

export function toFhir(a: Allergy, ctx: MappingContext): FhirEntry[] {
  const resource: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: toConcept(a.clinicalStatus),
    type: a.type?.code as AllergyIntolerance['type'],
    code: toConcept(a.causativeAgent),
    patient: toSubjectReference(a.subjectOfCare, ctx),
    onsetDateTime: a.onsetDate,
    recordedDate: a.dateRecorded,
    recorder: a.observer ? toReference(a.observer) : undefined,
    note: a.comment ? [{ text: a.comment }] : undefined,
    reaction: a.reaction?.map((r) => compact({ manifestation: [toConcept(r.manifestation) ?? {}], severity: r.severity?.code as 'mild' | 'moderate' | 'severe' | undefined })),
  };
  return [primaryEntry('allergy', a, ctx, resource)];
}

export function fromFhir(a: AllergyIntolerance): Draft<AllergyInput> {
  return compact({
    resourceType: 'MODS-Allergy',
    ...readIdentity(a),
    subjectOfCare: fromSubjectReference(a.patient),
    type: a.type ? { code: a.type } : undefined,
    causativeAgent: fromConcept(a.code),
    clinicalStatus: fromConcept(a.clinicalStatus),
    observer: a.recorder ? fromReference(a.recorder) : undefined,
    dateRecorded: a.recordedDate,
    onsetDate: a.onsetDateTime,
    reaction: someOrUndefined((a.reaction ?? []).map((r) => compact({ manifestation: fromConcept(r.manifestation[0]) ?? {}, severity: r.severity ? { code: r.severity } : undefined }))),
    comment: a.note?.[0]?.text,
  });
}
