import { describe, expect, it } from 'vitest';
import { patientsReferenced } from './change-feed.js';

describe('patientsReferenced', () => {
  it('finds every relative Patient reference, nested or in lists, once', () => {
    const flag = {
      resourceType: 'Flag',
      subject: { reference: 'Patient/p1' },
      author: { reference: 'Practitioner/x' },
      extension: [{ valueReference: { reference: 'Patient/p2' } }, { valueReference: { reference: 'Patient/p1' } }],
      contained: [{ reference: 'http://elsewhere.example/fhir/Patient/p3' }, { reference: 'Patient/p4/_history/2' }],
    };
    expect([...patientsReferenced(flag)].sort()).toEqual(['p1', 'p2', 'p4']);
  });
});
