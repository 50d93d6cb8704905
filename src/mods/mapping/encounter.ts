// Admission details and Discharge details ⇄ UK Core Encounter (mods.md §4.2): one Encounter per record,
// admission in progress, discharge finished; sources and destinations in Encounter.hospitalization.
import type { Encounter } from '@medplum/fhirtypes';
import type { AdmissionInput, Admission } from '../model/admission.js';
import type { Discharge, DischargeInput } from '../model/discharge.js';
import type { Coding, Ref, SubjectRef } from '../model/primitives.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  codingExt, compact, fromConcept, fromReference, fromSubjectReference, readCodingExt, readIdentity, readString, primaryEntry,
  someOrUndefined, stringExt, toConcept, toReference, toSubjectReference,
} from './shared.js';

/** FHIR needs an encounter class; MODS has none, so every admission is an inpatient stay (our default). */
const INPATIENT = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP', display: 'inpatient encounter' };

interface Stay {
  recordUid?: string;
  versionNumber?: number;
  subjectOfCare: SubjectRef;
  serviceProvider?: Ref;
  location?: Ref;
  reason?: Coding;
  comment?: string;
}

function encounter(s: Stay, cls: 'admission' | 'discharge', ctx: MappingContext, rest: Partial<Encounter>): FhirEntry {
  const resource: Encounter = {
    resourceType: 'Encounter',
    status: cls === 'admission' ? 'in-progress' : 'finished',
    class: INPATIENT,
    subject: toSubjectReference(s.subjectOfCare, ctx),
    serviceProvider: s.serviceProvider ? toReference(s.serviceProvider, 'Organization') : undefined,
    location: s.location ? [{ location: toReference(s.location, 'Location') }] : undefined,
    reasonCode: s.reason ? [toConcept(s.reason) ?? {}] : undefined,
    ...rest,
  };
  return primaryEntry(cls, s, ctx, resource);
}

function stay(e: Encounter) {
  return {
    ...readIdentity(e),
    subjectOfCare: e.subject ? fromSubjectReference(e.subject) : undefined,
    serviceProvider: e.serviceProvider ? fromReference(e.serviceProvider) : undefined,
    location: e.location?.[0] ? fromReference(e.location[0].location) : undefined,
    reason: fromConcept(e.reasonCode?.[0]),
    comment: readString(e, 'comment'),
  };
}

export function admissionToFhir(a: Admission, ctx: MappingContext): FhirEntry[] {
  return [
    encounter(a, 'admission', ctx, {
      extension: someOrUndefined([...codingExt('admission-method', a.admissionMethod), ...stringExt('comment', a.comment)]),
      period: { start: a.admissionDate },
      hospitalization: a.admittedFrom ? { admitSource: toConcept(a.admittedFrom) } : undefined,
    }),
  ];
}

export function admissionFromFhir(e: Encounter): Draft<AdmissionInput> {
  return compact({
    resourceType: 'MODS-AdmissionDetails',
    ...stay(e),
    admissionDate: e.period?.start,
    admittedFrom: fromConcept(e.hospitalization?.admitSource),
    admissionMethod: readCodingExt(e, 'admission-method'),
  });
}

export function dischargeToFhir(d: Discharge, ctx: MappingContext): FhirEntry[] {
  return [
    encounter(d, 'discharge', ctx, {
      extension: someOrUndefined([...codingExt('discharge-method', d.dischargeMethod), ...stringExt('comment', d.comment)]),
      period: compact({ start: d.admissionDate, end: d.dischargeDate }),
      hospitalization: d.dischargeDestination ? { dischargeDisposition: toConcept(d.dischargeDestination) } : undefined,
    }),
  ];
}

export function dischargeFromFhir(e: Encounter): Draft<DischargeInput> {
  return compact({
    resourceType: 'MODS-DischargeDetails',
    ...stay(e),
    dischargeDate: e.period?.end,
    admissionDate: e.period?.start,
    dischargeDestination: fromConcept(e.hospitalization?.dischargeDisposition),
    dischargeMethod: readCodingExt(e, 'discharge-method'),
  });
}
