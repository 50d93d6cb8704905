import { describe, expect, it } from 'vitest';
import type { Resource } from '../types.js';
import { checkProfile } from './profile.js';
import { NHS_NUMBER_VERIFICATION_SYSTEM, UK_CORE_PROFILES } from './uk-core.js';

const byType = (type: string) => UK_CORE_PROFILES.find((p) => p.type === type) as (typeof UK_CORE_PROFILES)[number];
const paths = (type: string, r: unknown): string[] => checkProfile(byType(type), r as Resource).flatMap((i) => i.expression ?? []);
const verification = (code: string) => ({
  url: 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus',
  valueCodeableConcept: { coding: [{ system: NHS_NUMBER_VERIFICATION_SYSTEM, code }] },
});

describe('UK Core profiles', () => {
  it('ships the twelve profiles the platform needs', () => {
    expect(UK_CORE_PROFILES.map((p) => p.type).sort()).toEqual(
      ['AllergyIntolerance', 'Condition', 'Consent', 'DocumentReference', 'Encounter', 'Flag', 'Location', 'Observation', 'Organization', 'Patient', 'Practitioner', 'PractitionerRole'],
    );
  });

  it('accepts a UK Core patient with a verified NHS number', () => {
    expect(paths('Patient', { resourceType: 'Patient', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919', extension: [verification('01')] }] })).toEqual([]);
  });

  it('refuses invalid NHS numbers, missing slice values and unknown verification codes, with their paths', () => {
    const found = paths('Patient', {
      resourceType: 'Patient',
      identifier: [
        { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765918', extension: [verification('99')] },
        { system: 'https://fhir.nhs.uk/Id/nhs-number' },
      ],
      generalPractitioner: [{ identifier: { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'not an ods code!' } }],
    });
    expect(found).toEqual(
      expect.arrayContaining(['Patient.identifier[0].value', 'Patient.identifier[1].value', 'Patient.identifier[0].extension[0].valueCodeableConcept', 'Patient.generalPractitioner[0].identifier.value']),
    );
  });

  it('checks identifier slices of organisations, practitioners and locations', () => {
    expect(paths('Organization', { resourceType: 'Organization', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code' }] })).toEqual(['Organization.identifier[0].value']);
    expect(paths('Practitioner', { resourceType: 'Practitioner', identifier: [{ system: 'https://fhir.hl7.org.uk/Id/gmc-number', value: '' }] })).toEqual(['Practitioner.identifier[0].value']);
    expect(paths('Location', { resourceType: 'Location', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-site-code', value: 'RR8-01' }] })).toEqual(['Location.identifier[0].value']);
  });

  it('refuses a profile claimed by the wrong resource type', () => {
    expect(paths('Patient', { resourceType: 'Observation' })).toEqual(['meta.profile']);
  });
});
