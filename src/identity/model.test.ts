import { describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import { NHS_NUMBER_VERIFICATION_EXTENSION, NHS_NUMBER_VERIFICATION_SYSTEM } from '../fhir/profiles/uk-core.js';
import { compare } from './comparisons.js';
import { featuresOf } from './features.js';
import { DEFAULT_MODEL, decide } from './model.js';

const person = (given: string, birthDate: string, nhs?: { value: string; verified: boolean }): Patient => ({
  resourceType: 'Patient',
  identifier: nhs
    ? [{ system: NHS_NUMBER_SYSTEM, value: nhs.value, extension: [{ url: NHS_NUMBER_VERIFICATION_EXTENSION, valueCodeableConcept: { coding: [{ system: NHS_NUMBER_VERIFICATION_SYSTEM, code: nhs.verified ? '01' : '02' }] } }] }]
    : undefined,
  name: [{ family: 'Oyelaran', given: [given] }],
  gender: 'female',
  birthDate,
  address: [{ line: ['4 Mill Lane'], postalCode: 'LS6 2AB' }],
});

const grade = (a: Patient, b: Patient) => {
  const fa = featuresOf(a);
  const fb = featuresOf(b);
  return decide(DEFAULT_MODEL, compare(fa, fb), fa, fb);
};

describe('match decisions', () => {
  it('links the same person written differently, and explains the score', () => {
    const outcome = grade(person('Margaret', '1948-02-11'), person('Peggy', '1948-11-02'));
    expect(outcome.grade).toBe('certain');
    expect(outcome.comparisons.find((c) => c.comparison === 'given')).toMatchObject({ level: 'nickname' });
    expect(outcome.comparisons.find((c) => c.comparison === 'birthDate')).toMatchObject({ level: 'day-month-transposed' });
    expect(outcome.weight).toBeCloseTo(outcome.comparisons.reduce((s, c) => s + c.weight, Math.log2(DEFAULT_MODEL.prior / (1 - DEFAULT_MODEL.prior))), 6);
  });

  it('never links different verified NHS numbers, however alike the rest', () => {
    const outcome = grade(person('Margaret', '1948-02-11', { value: '9434765919', verified: true }), person('Margaret', '1948-02-11', { value: '9434765870', verified: true }));
    expect(outcome.grade).toBe('certainly-not');
  });

  it('links equal verified NHS numbers whatever the demographics say', () => {
    expect(grade(person('Margaret', '1948-02-11', { value: '9434765919', verified: true }), person('Ada', '1990-01-01', { value: '9434765919', verified: true })).grade).toBe('certain');
  });

  it('sends twins (same surname, birthday and address) to review at most', () => {
    expect(['possible', 'probable', 'certainly-not']).toContain(grade(person('Margaret', '1948-02-11'), person('Olufunke', '1948-02-11')).grade);
  });

  it('does not auto-link when unverified NHS numbers differ', () => {
    expect(grade(person('Margaret', '1948-02-11', { value: '9434765919', verified: false }), person('Margaret', '1948-02-11', { value: '9434765870', verified: false })).grade).not.toBe('certain');
  });
});
