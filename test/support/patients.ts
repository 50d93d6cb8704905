// UK Core Patients for tests: demographics in, a Patient with an NHS number (verified or not) out.
export const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const VERIFICATION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
const VERIFICATION_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';

export interface Demographics {
  given: string;
  family: string;
  birthDate: string;
  postcode?: string;
  line?: string;
  gender?: 'male' | 'female';
  nhs?: { value: string; verified: boolean };
}

export const ukCorePatient = (d: Demographics) => ({
  resourceType: 'Patient',
  ...(d.nhs
    ? { identifier: [{ system: NHS, value: d.nhs.value, extension: [{ url: VERIFICATION, valueCodeableConcept: { coding: [{ system: VERIFICATION_SYSTEM, code: d.nhs.verified ? '01' : '02' }] } }] }] }
    : {}),
  name: [{ use: 'official', family: d.family, given: [d.given] }],
  gender: d.gender ?? 'female',
  birthDate: d.birthDate,
  address: [{ use: 'home', line: [d.line ?? '14 Larch Avenue'], city: 'Leeds', postalCode: d.postcode ?? 'LS6 3HN' }],
});

/** A valid NHS number in the 999 test range (modulus 11 check digit). */
export function testNhsNumber(n: number): string {
  for (let k = n; ; k++) {
    const body = `999${String(k % 1_000_000).padStart(6, '0')}`;
    const sum = [...body].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return body + (check === 11 ? '0' : String(check));
  }
}
