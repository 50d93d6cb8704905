import { describe, expect, it } from 'vitest';
import { loadDefinitions } from './definitions.js';
import { createTerminology } from './terminology.js';
import type { Resource } from './types.js';
import { createValidator } from './validation.js';

const validator = createValidator(loadDefinitions(), createTerminology());
const expressions = (r: unknown): string[] => validator.validate(r as Resource).flatMap((i) => i.expression ?? []);

describe('validator', () => {
  it('accepts a valid resource', () => {
    expect(validator.validate({ resourceType: 'Patient', gender: 'female', name: [{ use: 'official', family: 'X' }] } as Resource)).toEqual([]);
  });

  it('checks required bindings on code elements, nested and in backbone elements', () => {
    expect(expressions({ resourceType: 'Patient', gender: 'f' })).toEqual(['Patient.gender']);
    expect(expressions({ resourceType: 'Patient', name: [{ family: 'A' }, { use: 'nick' }] })).toEqual(['Patient.name[1].use']);
    expect(expressions({ resourceType: 'Patient', contact: [{ gender: 'x', name: { family: 'y' } }] })).toEqual(['Patient.contact[0].gender']);
    expect(expressions({ resourceType: 'Observation', status: 'done', code: { text: 'x' } })).toEqual(['Observation.status']);
  });

  it('does not check extensible or example bindings', () => {
    expect(validator.validate({ resourceType: 'Patient', maritalStatus: { coding: [{ system: 'urn:x', code: 'whatever' }] } } as Resource)).toEqual([]);
  });

  it('checks reference formats', () => {
    expect(expressions({ resourceType: 'Patient', managingOrganization: { reference: 'just text' } })).toEqual(['Patient.managingOrganization.reference']);
    for (const ok of ['Organization/1', 'https://x.org/fhir/Organization/1', '#c1', 'urn:uuid:5b7f0e47-4b4e-4e6b-9f5a-1f7b5b0c2f11', 'Organization/1/_history/2']) {
      expect(expressions({ resourceType: 'Patient', managingOrganization: { reference: ok } }), ok).toEqual([]);
    }
  });

  it('reports structural errors with their path, together with binding errors', () => {
    const found = expressions({ resourceType: 'Patient', birthDate: '1/2/1950', gender: 'f', photo: 'not-an-array-item' });
    expect(found).toContain('Patient.birthDate');
    expect(found).toContain('Patient.gender');
  });
});
