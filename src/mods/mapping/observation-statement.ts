// Preference, Strength, Wish and Need ⇄ UK Core Observation (mods.md §4.2): the statement is the
// value, the MODS class is both a category and the first code, Date + Time join in effectiveDateTime.
import type { Observation } from '@medplum/fhirtypes';
import type { NeedInput } from '../model/need.js';
import type { Coding, Ref, SubjectRef } from '../model/primitives.js';
import type { ModsClassName } from '../terminology.js';
import { MODS_CLASS_SYSTEM } from '../terminology.js';
import { fromFhirDateTime, toFhirDateTime } from '../uk-time.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  classCategory, codingExt, compact, fromCoding, fromReference, fromSubjectReference, readCodingExt, readIdentity, readReferenceExts,
  primaryEntry, referenceExts, SOCIAL_HISTORY, someOrUndefined, toCoding, toReference, toSubjectReference,
} from './shared.js';

/** The canonical shape of the four classes (Need adds significance and urgency). */
interface Statement {
  recordUid?: string;
  versionNumber?: number;
  subjectOfCare: SubjectRef;
  code?: Coding;
  freeText?: string;
  date: string;
  time?: string;
  location?: Ref;
  careActor?: Ref[];
  significance?: Coding;
  urgency?: Coding;
}

export function statementToFhir(cls: ModsClassName, s: Statement, ctx: MappingContext): FhirEntry[] {
  const observation: Observation = {
    resourceType: 'Observation',
    extension: someOrUndefined([...referenceExts('location', s.location ? [s.location] : [], 'Location'), ...codingExt('significance', s.significance), ...codingExt('urgency', s.urgency)]),
    status: 'final',
    category: [SOCIAL_HISTORY, classCategory(cls)],
    code: { coding: [{ system: MODS_CLASS_SYSTEM, code: cls }, ...(s.code ? [toCoding(s.code)] : [])] },
    subject: toSubjectReference(s.subjectOfCare, ctx),
    effectiveDateTime: toFhirDateTime(s.date, s.time),
    performer: s.careActor?.map((r) => toReference(r)),
    valueString: s.freeText,
  };
  return [primaryEntry(cls, s, ctx, observation)];
}

export function statementFromFhir(resourceType: string, o: Observation): Draft<NeedInput> {
  const code = o.code.coding?.find((c) => c.system !== MODS_CLASS_SYSTEM);
  const when = o.effectiveDateTime ? fromFhirDateTime(o.effectiveDateTime) : undefined;
  return compact({
    resourceType,
    ...readIdentity(o),
    subjectOfCare: o.subject ? fromSubjectReference(o.subject) : undefined,
    code: code ? fromCoding(code) : undefined,
    freeText: o.valueString,
    date: when?.date,
    time: when?.time,
    location: readReferenceExts(o, 'location')?.[0],
    careActor: someOrUndefined((o.performer ?? []).map(fromReference)),
    significance: readCodingExt(o, 'significance'),
    urgency: readCodingExt(o, 'urgency'),
  });
}
