// The fast path must give exactly what the FHIRPath engine gives, for every search parameter of
// every resource type in the corpus.
import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../fhir/definitions.js';
import { compileFastPath } from './fast-path.js';
import { PARAM_TYPES } from './params/index.js';
import { concreteExpression } from './registry.js';

const defs = loadDefinitions();

const CORPUS: Record<string, unknown>[] = [
  {
    resourceType: 'Patient', id: 'p1', meta: { tag: [{ system: 'urn:t', code: 'a' }], profile: ['urn:p'] }, active: true,
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919', type: { text: 'NHS' } }],
    name: [{ use: 'official', family: 'Smith', given: ['Jo', 'Ann'], prefix: ['Ms'] }, { text: 'Jo Smith' }],
    telecom: [{ system: 'phone', value: '0113' }, { system: 'email', value: 'a@b.c' }], gender: 'female', birthDate: '1950-02',
    deceasedDateTime: '2020-01-01T10:00:00Z', address: [{ use: 'home', line: ['1 High St'], city: 'Leeds', postalCode: 'LS1', country: 'UK' }],
    contact: [{ name: { family: 'Kin' }, telecom: [{ system: 'phone', value: '1' }] }], generalPractitioner: [{ reference: 'Practitioner/1' }],
    managingOrganization: { reference: 'https://x/fhir/Organization/o' }, link: [{ other: { reference: 'Patient/2' }, type: 'seealso' }],
  },
  {
    resourceType: 'Observation', status: 'final', category: [{ coding: [{ system: 'c', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '1', display: 'X' }], text: 'x' }, subject: { reference: 'Patient/p1' },
    encounter: { reference: 'Encounter/e' }, effectivePeriod: { start: '2024-01-01', end: '2024-01-02' }, issued: '2024-01-03T00:00:00Z',
    performer: [{ reference: 'Practitioner/1' }, { reference: 'Organization/2' }], valueQuantity: { value: 5, system: 'u', code: 'kg' },
    component: [{ code: { coding: [{ code: 'c1' }] }, valueCodeableConcept: { coding: [{ code: 'v' }] } }, { code: { text: 't' }, valueString: 's' }],
  },
  { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: 'Group/g' }, effectiveDateTime: '2024', valueString: 'text value' },
  { resourceType: 'Condition', subject: { reference: 'Patient/p1' }, onsetAge: { value: 40, unit: 'a' }, abatementString: 'later', recordedDate: '2020', code: { text: 'c' } },
  { resourceType: 'Encounter', status: 'finished', class: { code: 'IMP' }, subject: { reference: 'Patient/p1' }, period: { start: '2024' }, participant: [{ individual: { reference: 'Practitioner/1' }, type: [{ text: 't' }] }], location: [{ location: { reference: 'Location/l' } }], diagnosis: [{ condition: { reference: 'Condition/c' } }] },
  { resourceType: 'MedicationRequest', status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ code: 'm' }] }, subject: { reference: 'Patient/p1' }, dosageInstruction: [{ timing: { event: ['2024-01-01'], repeat: { boundsPeriod: { start: '2024' } } } }], authoredOn: '2024-02-02' },
  { resourceType: 'Flag', status: 'active', code: { text: 'falls' }, subject: { reference: 'Patient/p1' }, period: { start: '2024' }, author: { reference: 'Practitioner/1' } },
  { resourceType: 'AllergyIntolerance', patient: { reference: 'Patient/p1' }, code: { coding: [{ code: 'a' }] }, reaction: [{ manifestation: [{ text: 'rash' }], severity: 'mild' }], onsetPeriod: { start: '2000' } },
  { resourceType: 'Practitioner', name: [{ family: 'Okafor' }], qualification: [{ code: { text: 'q' } }], telecom: [{ system: 'email', value: 'x@y' }] },
  { resourceType: 'DocumentReference', status: 'current', subject: { reference: 'Patient/p1' }, content: [{ attachment: { url: 'http://x', contentType: 'application/pdf' }, format: { code: 'f' } }], context: { period: { start: '2024' }, related: [{ reference: 'Encounter/e' }] } },
  { resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityDecimal: 0.2, outcome: { text: 'o' } }] },
  { resourceType: 'Consent', status: 'active', scope: { text: 's' }, category: [{ text: 'c' }], patient: { reference: 'Patient/p1' }, provision: { actor: [{ role: { text: 'r' }, reference: { reference: 'Organization/o' } }], period: { start: '2024' } } },
];

const canonical = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

describe('search-parameter fast path', () => {
  // Compared through the index rows each parameter type writes: that is what the fast path must not change.
  // (Raw values may differ where the FHIRPath engine is laxer than the spec: `abatement.as(Age)` on a string.)
  it('covers most parameters and writes the same index rows as FHIRPath on every resource in the corpus', () => {
    let compared = 0;
    let fast = 0;
    for (const resource of CORPUS) {
      const type = resource.resourceType as string;
      for (const sp of defs.searchParameters.get(type)?.values() ?? []) {
        if (!sp.expression || sp.type === 'composite') continue;
        const expression = concreteExpression(sp.expression, type);
        const evaluate = compileFastPath(expression, type);
        compared++;
        if (!evaluate) continue;
        fast++;
        const paramType = PARAM_TYPES[sp.type as string];
        const expected = paramType.extract(evalFhirPathTyped(expression, [toTypedValue(resource)]));
        expect(canonical(paramType.extract(evaluate(resource))), `${type}.${sp.code}: ${expression}`).toEqual(canonical(expected));
      }
    }
    expect(fast / compared).toBeGreaterThan(0.85);
  });
});
