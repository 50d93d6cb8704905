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
