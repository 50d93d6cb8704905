// Service (a care package) ⇄ UK Core EpisodeOfCare, as the Interweave social care service profile
// does. Package name, package type and service types are all EpisodeOfCare.type, each marked with the
// MODS element it came from; what EpisodeOfCare cannot hold rides in extensions.
import type { EpisodeOfCare } from '@medplum/fhirtypes';
import type { CodeableConcept } from '../../fhir/types.js';
import type { Coding } from '../model/primitives.js';
import type { Service, ServiceInput } from '../model/service.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  codingExt, compact, ext, extensionsOf, fromConcept, fromSubjectReference, readCodingExt, readIdentity, readString, primaryEntry,
  someOrUndefined, stringExt, toConcept, toSubjectReference,
} from './shared.js';

type TypeElement = 'socialCarePackageName' | 'socialCarePackageType' | 'serviceType';
const marked = (element: TypeElement, c: Coding): CodeableConcept => ({ extension: [{ url: ext('element'), valueCode: element }], ...toConcept(c) });
const elementOf = (cc: CodeableConcept): string | undefined => extensionsOf(cc, ext('element'))[0]?.valueCode;

/** FHIR needs a status; MODS has dates only, so the status is what the dates say today. */
function statusOn(today: string, start?: string, end?: string): EpisodeOfCare['status'] {
  if (start && start > today) return 'planned';
  if (end && end < today) return 'finished';
  return 'active';
}

export function toFhir(s: Service, ctx: MappingContext): FhirEntry[] {
  const episode: EpisodeOfCare = {
    resourceType: 'EpisodeOfCare',
    extension: [
      ...stringExt('service-description', s.serviceDescription),
      ...stringExt('service-schedule', s.serviceSchedule),
      ...codingExt('care-funding-source', s.careFundingSource),
      ...stringExt('comment', s.comment),
    ],
    status: statusOn(ctx.today, s.serviceStartDate, s.serviceEndDate),
    type: someOrUndefined([
      ...(s.socialCarePackageName ? [marked('socialCarePackageName', s.socialCarePackageName)] : []),
      ...(s.socialCarePackageType ? [marked('socialCarePackageType', s.socialCarePackageType)] : []),
      ...(s.serviceType ?? []).map((t) => marked('serviceType', t)),
    ]),
    patient: toSubjectReference(s.subjectOfCare, ctx),
    period: s.serviceStartDate || s.serviceEndDate ? compact({ start: s.serviceStartDate, end: s.serviceEndDate }) : undefined,
  };
  return [primaryEntry('service', s, ctx, episode)];
}

export function fromFhir(e: EpisodeOfCare): Draft<ServiceInput> {
  const types = (element: TypeElement): Coding[] => (e.type ?? []).filter((t) => elementOf(t) === element).flatMap((t) => fromConcept(t) ?? []);
  return compact({
    resourceType: 'MODS-Service',
    ...readIdentity(e),
    subjectOfCare: fromSubjectReference(e.patient),
    socialCarePackageName: types('socialCarePackageName')[0],
    socialCarePackageType: types('socialCarePackageType')[0],
    serviceStartDate: e.period?.start,
    serviceEndDate: e.period?.end,
    careFundingSource: readCodingExt(e, 'care-funding-source'),
    serviceType: someOrUndefined([...types('serviceType'), ...(e.type ?? []).filter((t) => !elementOf(t)).flatMap((t) => fromConcept(t) ?? [])]),
    serviceDescription: readString(e, 'service-description'),
    serviceSchedule: readString(e, 'service-schedule'),
    comment: readString(e, 'comment'),
  });
}
