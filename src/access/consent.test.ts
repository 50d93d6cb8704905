// Dissent to sharing from FHIR Consent: which provisions are in force and what they withhold from whom.
import { describe, expect, it } from 'vitest';
import type { Resource } from '../fhir/types.js';
import { dissents, ODS_SYSTEM, withholds } from './consent.js';
import { SENSITIVITY_SYSTEM } from './policy/labels.js';

const consent = (provision: Record<string, unknown>, status = 'active'): Resource => ({ resourceType: 'Consent', status, provision } as unknown as Resource);
const observation = { resourceType: 'Observation' } as Resource;
const NOW = '2026-11-22T12:00:00Z';

describe('consent to sharing', () => {
  it('finds deny provisions in force, nested ones included', () => {
    const found = dissents([
      consent({ type: 'permit', provision: [{ type: 'deny', class: [{ code: 'Observation' }] }] }),
      consent({ type: 'deny' }, 'inactive'),
      consent({ type: 'deny', period: { end: '2026-01-01' } }),
      consent({ type: 'deny', period: { start: '2027-01-01' } }),
    ], NOW);
    expect(found).toEqual([{ organisations: [], types: ['Observation'], labels: [] }]);
  });

  it('withholds from the organisations named, by type or label, or everything', () => {
    const [fromSunrise] = dissents([consent({ type: 'deny', actor: [{ reference: { identifier: { system: ODS_SYSTEM, value: 'SUN01' } } }], securityLabel: [{ system: SENSITIVITY_SYSTEM, code: 'clinical' }] })], NOW);
    expect(withholds(fromSunrise, 'SUN01', observation, ['clinical'])).toBe(true);
    expect(withholds(fromSunrise, 'SUN01', observation, ['administrative'])).toBe(false);
    expect(withholds(fromSunrise, 'MEA01', observation, ['clinical'])).toBe(false);
    const [everything] = dissents([consent({ type: 'deny' })], NOW);
    expect(withholds(everything, undefined, observation, ['administrative'])).toBe(true);
  });

  it('applies an actor it cannot identify by ODS code to everyone rather than to no one', () => {
    const [unnamed] = dissents([consent({ type: 'deny', actor: [{ reference: { reference: 'Organization/x' } }] })], NOW);
    expect(withholds(unnamed, 'SUN01', observation, ['clinical'])).toBe(true);
  });
});
