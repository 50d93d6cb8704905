// Subject of care ⇄ UK Core Patient, with Observations for what Patient has no element for
// (sexual orientation, pregnancy status, immigration status), as mods.md §4.2 proposes.
import type { Observation, Patient } from '@medplum/fhirtypes';
import type { Extension, Identifier } from '../../fhir/types.js';
import { NHS_NUMBER_SYSTEM } from '../../fhir/profiles/nhs-number.js';
import { NHS_NUMBER_VERIFICATION_EXTENSION as VERIFICATION_EXTENSION } from '../../fhir/profiles/uk-core.js';
import type { SubjectOfCareInput, SubjectOfCareRegistration } from '../model/subject-of-care.js';
import type { Coding } from '../model/primitives.js';
import { VALUE_SETS } from '../terminology.js';
import type { Draft, FhirEntry, MappingContext, PartLookup } from './shared.js';
import {
  codingExt, compact, entryUrl, extensionsOf, fromAddress, fromCoding, fromConcept, fromNames, fromReference, fromTelecom, LOCAL_ID_SYSTEM, partExtensions,
  readCodingExt, readIdentity, readParts, primaryEntry, SOCIAL_HISTORY, someOrUndefined, toAddress, toCoding, toConcept, toNames, toReference, toTelecom, withId,
} from './shared.js';

const ETHNICITY_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory';
const RELIGION_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ReligiousAffiliation';
const GENDER_IDENTITY_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-genderIdentity';
const INTERPRETER_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired';

/** Stated gender → administrative gender (mods.md §4.2): the identity itself is kept in its extension. */
const ADMINISTRATIVE_GENDER: Record<string, Patient['gender']> = { '1': 'male', '2': 'female', '9': 'other', X: 'unknown' };

/** The Observations a Patient's record holds, by the part suffix of their id. */
const OBSERVATION_PARTS = {
  so: { key: 'sexualOrientation', code: { system: 'http://loinc.org', code: '76690-7', display: 'Sexual orientation' } },
  ps: { key: 'pregnancyStatus', code: { system: 'http://loinc.org', code: '82810-3', display: 'Pregnancy status' } },
  is: { key: 'immigrationStatus', code: { system: 'https://openscip.org/fhir/CodeSystem/mods-observation', code: 'immigration-status', display: 'Immigration status' } },
} as const;

function observationPart(patientUrl: string, suffix: keyof typeof OBSERVATION_PARTS, value: Coding | string, recordUid: string | undefined, ctx: MappingContext): FhirEntry {
  const part = OBSERVATION_PARTS[suffix];
  const observation: Observation = {
    resourceType: 'Observation',
    meta: { profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation'] },
    status: 'final',
    category: [SOCIAL_HISTORY],
    code: { coding: [part.code] },
    subject: { reference: patientUrl },
    ...(typeof value === 'string' ? { valueString: value } : { valueCodeableConcept: { coding: [toCoding(value)] } }),
  };
  return withId(entryUrl('Observation', recordUid, suffix, ctx), observation);
}

/** Takes a registration too: the full record is a registration with every required element. */
export function toFhir(s: SubjectOfCareRegistration, ctx: MappingContext): FhirEntry[] {
  const url = entryUrl('Patient', s.recordUid, undefined, ctx);
  const parts = (Object.keys(OBSERVATION_PARTS) as (keyof typeof OBSERVATION_PARTS)[]).flatMap((suffix) => {
    const value = s[OBSERVATION_PARTS[suffix].key];
    return value === undefined ? [] : [observationPart(url, suffix, value, s.recordUid, ctx)];
  });
  const id = s.identification;
  const identifiers: Identifier[] = [
    ...(id?.nhsNumber
      ? [compact({
          system: NHS_NUMBER_SYSTEM,
          value: id.nhsNumber,
          extension: id.nhsNumberVerificationStatus ? [{ url: VERIFICATION_EXTENSION, valueCodeableConcept: toConcept(id.nhsNumberVerificationStatus) }] : undefined,
        })]
      : []),
    ...(id?.localId ? [{ system: LOCAL_ID_SYSTEM, value: id.localId }] : []),
  ];
  const extension: Extension[] = [
    // UK Core puts the status on the NHS number; a status without a number (07: not present) needs our own.
    ...(id?.nhsNumber ? [] : codingExt('nhs-number-verification-status', id?.nhsNumberVerificationStatus)),
    ...(s.ethnicity ? [{ url: ETHNICITY_EXTENSION, valueCodeableConcept: toConcept(s.ethnicity) }] : []),
    ...(s.religion ? [{ url: RELIGION_EXTENSION, valueCodeableConcept: toConcept(s.religion) }] : []),
    { url: GENDER_IDENTITY_EXTENSION, valueCodeableConcept: toConcept(s.genderIdentity) },
    ...(s.interpreterRequired !== undefined ? [{ url: INTERPRETER_EXTENSION, valueBoolean: s.interpreterRequired }] : []),
    ...partExtensions(parts),
  ];
  const patient: Patient = {
    resourceType: 'Patient',
    extension,
    identifier: identifiers,
    name: toNames(s.name),
    telecom: someOrUndefined(toTelecom(s.contactDetails)),
    gender: ADMINISTRATIVE_GENDER[s.genderIdentity.code],
    birthDate: s.dateOfBirth,
    address: s.address?.map(toAddress),
    communication: someOrUndefined([
      ...(s.firstLanguage ? [{ language: { coding: [toCoding(s.firstLanguage)] }, preferred: true }] : []),
      ...(s.otherLanguage ?? []).map((l) => ({ language: { coding: [toCoding(l)] } })),
    ]),
    generalPractitioner: s.registeredGp ? [toReference(s.registeredGp, 'Organization')] : undefined,
  };
  return [primaryEntry('subject-of-care', s, ctx, patient, url), ...parts];
}

export function fromFhir(patient: Patient, lookup: PartLookup): Draft<SubjectOfCareInput> {
  const ext = (url: string): Extension | undefined => extensionsOf(patient, url)[0];
  const nhs = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM);
  const status = nhs ? fromConcept(extensionsOf(nhs, VERIFICATION_EXTENSION)[0]?.valueCodeableConcept) : readCodingExt(patient, 'nhs-number-verification-status');
  const localId = patient.identifier?.find((i) => i.system === LOCAL_ID_SYSTEM)?.value;
  const observations = readParts(patient, lookup) as Observation[];
  const observed = (suffix: keyof typeof OBSERVATION_PARTS): Observation | undefined =>
    observations.find((o) => o.code?.coding?.some((c) => c.code === OBSERVATION_PARTS[suffix].code.code));
  const codedPart = (suffix: keyof typeof OBSERVATION_PARTS) => fromConcept(observed(suffix)?.valueCodeableConcept);
  const preferred = patient.communication?.find((c) => c.preferred);
  const identification = compact({ nhsNumber: nhs?.value, nhsNumberVerificationStatus: status, localId });
  return compact({
    resourceType: 'MODS-SubjectOfCare',
    ...readIdentity(patient),
    name: fromNames(patient.name),
    identification: Object.keys(identification).length ? identification : undefined,
    dateOfBirth: patient.birthDate,
    genderIdentity: (fromConcept(ext(GENDER_IDENTITY_EXTENSION)?.valueCodeableConcept) ?? genderFromAdministrative(patient.gender)),
    ethnicity: fromConcept(ext(ETHNICITY_EXTENSION)?.valueCodeableConcept),
    religion: fromConcept(ext(RELIGION_EXTENSION)?.valueCodeableConcept),
    sexualOrientation: codedPart('so'),
    pregnancyStatus: codedPart('ps'),
    firstLanguage: preferred?.language.coding?.[0] ? fromCoding(preferred.language.coding[0]) : undefined,
    otherLanguage: someOrUndefined((patient.communication ?? []).filter((c) => !c.preferred && c.language.coding?.[0]).map((c) => fromCoding(c.language.coding?.[0] ?? {}))),
    interpreterRequired: ext(INTERPRETER_EXTENSION)?.valueBoolean,
    immigrationStatus: observed('is')?.valueString,
    address: someOrUndefined((patient.address ?? []).map(fromAddress)),
    contactDetails: fromTelecom(patient.telecom),
    registeredGp: patient.generalPractitioner?.[0] ? fromReference(patient.generalPractitioner[0]) : undefined,
  });
}

/** A Patient published natively in FHIR has no stated gender: the nearest NHS DD code stands in. */
function genderFromAdministrative(gender: Patient['gender']): Coding | undefined {
  const code = Object.entries(ADMINISTRATIVE_GENDER).find(([, g]) => g === gender)?.[0];
  const concept = VALUE_SETS.statedGender.concepts.find(([c]) => c === code);
  return concept ? { system: VALUE_SETS.statedGender.system, code: concept[0], display: concept[1] } : undefined;
}
