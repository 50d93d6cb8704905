// What Proxy and Carer share: both are a RelatedPerson of the subject of care (UK Core RelatedPerson).
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { Address, ContactDetails, PersonName, SubjectRef } from '../model/primitives.js';
import type { ModsClassName } from '../terminology.js';
import type { FhirEntry, MappingContext } from './shared.js';
import { fromAddress, fromNames, fromSubjectReference, fromTelecom, readIdentity, primaryEntry, someOrUndefined, toAddress, toNames, toSubjectReference, toTelecom } from './shared.js';

interface PersonOfSubject {
  recordUid?: string;
  versionNumber?: number;
  subjectOfCare: SubjectRef;
  name: PersonName;
  contactDetails?: ContactDetails;
  address?: Address;
}

export function relatedPersonEntry(p: PersonOfSubject, cls: ModsClassName, ctx: MappingContext, rest: Partial<RelatedPerson>): FhirEntry {
  const person: RelatedPerson = {
    resourceType: 'RelatedPerson',
    active: true,
    patient: toSubjectReference(p.subjectOfCare, ctx),
    name: toNames(p.name),
    telecom: someOrUndefined(toTelecom(p.contactDetails)),
    address: p.address ? [toAddress(p.address)] : undefined,
    ...rest,
  };
  return primaryEntry(cls, p, ctx, person);
}

export function personOfSubject(r: RelatedPerson) {
  return {
    ...readIdentity(r),
    subjectOfCare: fromSubjectReference(r.patient),
    name: fromNames(r.name),
    contactDetails: fromTelecom(r.telecom),
    address: r.address?.[0] ? fromAddress(r.address[0]) : undefined,
  };
}
