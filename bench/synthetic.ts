// Synthetic UK patients for benchmarks: seeded (reproducible), with a realistic skew of common
// surnames (the top 50 British surnames at roughly their population share) over a long tail.
import { fakerEN_GB as faker } from '@faker-js/faker';
import { testNhsNumber } from '../test/support/patients.js';

export { testNhsNumber };

const COMMON_SURNAMES: [string, number][] = [
  ['Smith', 1.26], ['Jones', 0.75], ['Williams', 0.6], ['Taylor', 0.5], ['Brown', 0.5], ['Davies', 0.45], ['Evans', 0.35],
  ['Wilson', 0.33], ['Thomas', 0.33], ['Johnson', 0.3], ['Roberts', 0.3], ['Robinson', 0.24], ['Thompson', 0.24], ['Wright', 0.24],
  ['Walker', 0.23], ['White', 0.22], ['Edwards', 0.22], ['Hughes', 0.22], ['Green', 0.21], ['Hall', 0.21], ['Lewis', 0.21],
  ['Harris', 0.21], ['Clarke', 0.2], ['Patel', 0.2], ['Jackson', 0.19], ['Wood', 0.18], ['Turner', 0.18], ['Martin', 0.18],
  ['Cooper', 0.17], ['Hill', 0.17], ['Ward', 0.17], ['Morris', 0.17], ['Moore', 0.16], ['Clark', 0.16], ['Lee', 0.16],
  ['King', 0.16], ['Baker', 0.15], ['Harrison', 0.15], ['Morgan', 0.15], ['Allen', 0.15], ['James', 0.14], ['Scott', 0.14],
  ['Phillips', 0.14], ['Watson', 0.14], ['Davis', 0.14], ['Parker', 0.14], ['Price', 0.13], ['Bennett', 0.13], ['Young', 0.13],
  ['Griffiths', 0.13],
];
const COMMON_SHARE = COMMON_SURNAMES.reduce((s, [, w]) => s + w, 0) / 100;

/** A surname drawn with the real share of the commonest British surnames (faker must be seeded by the caller). */
export function syntheticSurname(): string {
  return faker.number.float() < COMMON_SHARE ? faker.helpers.weightedArrayElement(COMMON_SURNAMES_WEIGHTED) : faker.person.lastName();
}
const COMMON_SURNAMES_WEIGHTED = COMMON_SURNAMES.map(([value, weight]) => ({ value, weight }));

export interface SyntheticPatient {
  resourceType: 'Patient';
  identifier: { system: string; value: string }[];
  name: { family: string; given: string[] }[];
  gender: 'male' | 'female';
  birthDate: string;
  address: { line: string[]; city: string; postalCode: string }[];
  telecom: { system: 'phone'; value: string }[];
}

export function syntheticPatients(count: number, seed: number): SyntheticPatient[] {
  faker.seed(seed);
  const out: SyntheticPatient[] = [];
  for (let i = 0; i < count; i++) {
    const gender = faker.helpers.arrayElement(['male', 'female'] as const);
    const family = syntheticSurname();
    out.push({
      resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: testNhsNumber(seed * 1_000_003 + i) }],
      name: [{ family, given: [faker.person.firstName(gender)] }],
      gender,
      birthDate: faker.date.birthdate({ min: 18, max: 100, mode: 'age' }).toISOString().slice(0, 10),
      address: [{ line: [faker.location.streetAddress()], city: faker.location.city(), postalCode: faker.location.zipCode() }],
      telecom: [{ system: 'phone', value: faker.phone.number() }],
    });
  }
  return out;
}
