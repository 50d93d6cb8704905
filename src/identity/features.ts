// What identity matching knows of a source record: its demographics in normal form, taken from a
// FHIR Patient. Matching, blocking, batch de-duplication and the stored match index all use this one shape.
import type { Patient } from '@medplum/fhirtypes';
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import { NHS_NUMBER_VERIFICATION_EXTENSION, NHS_NUMBER_VERIFICATION_SYSTEM } from '../fhir/profiles/uk-core.js';
import { normaliseAddressLine, normaliseName, normalisePostcode, parseBirthDate } from './normalise.js';
import type { BirthDate, Postcode } from './normalise.js';

export interface MatchFeatures {
  /** A modulus-11-valid NHS number (an invalid one is not evidence of anything). */
  nhsNumber?: string;
  /** The NHS number's verification status is 01 (present and verified). */
  nhsVerified: boolean;
  given?: string;
  family?: string;
  birthDate?: BirthDate;
  /** 'male' | 'female' | 'other'; 'unknown' counts as absent. */
  gender?: string;
  /** Current address first, then earlier ones. */
  addresses: Address[];
}

export interface Address {
  postcode?: Postcode;
  line?: string;
}

const VERIFIED = '01';

export function featuresOf(patient: Patient): MatchFeatures {
  const nhs = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM && i.value);
  const verified = nhs?.extension?.some((e) => e.url === NHS_NUMBER_VERIFICATION_EXTENSION && e.valueCodeableConcept?.coding?.some((c) => c.system === NHS_NUMBER_VERIFICATION_SYSTEM && c.code === VERIFIED)) ?? false;
  const name = preferredName(patient);
  const addresses = [...(patient.address ?? [])]
    .filter((a) => a.use !== 'billing')
    // Current addresses (no end date) before earlier ones; the stable sort keeps the sender's order otherwise.
    .sort((a, b) => Number(!!a.period?.end) - Number(!!b.period?.end));
  const nhsNumber = nhs?.value?.replace(/\s/g, '');
  return {
    ...(nhsNumber && isValidNhsNumber(nhsNumber) ? { nhsNumber } : {}),
    nhsVerified: !!nhsNumber && isValidNhsNumber(nhsNumber) && verified,
    ...optional('given', normaliseName(name?.given?.[0])),
    ...optional('family', normaliseName(name?.family)),
    ...optional('birthDate', parseBirthDate(patient.birthDate)),
    ...optional('gender', patient.gender && patient.gender !== 'unknown' ? patient.gender : undefined),
    addresses: addresses
      .map((a) => ({ ...optional('postcode', normalisePostcode(a.postalCode)), ...optional('line', normaliseAddressLine(a.line?.[0])) }))
      .filter((a) => a.postcode || a.line),
  };
}

function preferredName(patient: Patient) {
  const names = patient.name ?? [];
  return names.find((n) => n.use === 'official' && !n.period?.end) ?? names.find((n) => n.use === 'usual') ?? names.find((n) => !n.period?.end) ?? names[0];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
