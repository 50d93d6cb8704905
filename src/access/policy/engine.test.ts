// The policy engine and its parts in isolation: rule matching (deny wins, purposes, relationship),
// label sets (in memory and as search parameters), SMART scopes, and the policy document's checks.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../fhir/definitions.js';
import { FhirError } from '../../fhir/errors.js';
import type { Resource } from '../../fhir/types.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { checkPolicy } from './document.js';
import type { PolicyDocument } from './document.js';
import { PolicyEngine } from './engine.js';
import { LabelSet, SENSITIVITY_SYSTEM } from './labels.js';
import { scopesAllow } from './scopes.js';

const engine = new PolicyEngine(DEFAULT_POLICY, 1);
const decide = (roles: string[], interaction: string, type: string, purpose: 'direct-care' | 'safeguarding' | 'break-glass' = 'direct-care') =>
  engine.decide({ roles, purpose, interaction, type });

describe('policy engine', () => {
  it('permits what a rule permits, with the union of the labels of every permitting rule', () => {
    const d = decide(['social-worker'], 'read', 'Flag', 'safeguarding');
    expect(d.permitted && [...d.labels.allowed].sort()).toEqual(['administrative', 'clinical', 'restricted']);
    const direct = decide(['social-worker'], 'read', 'Flag');
    expect(direct.permitted && [...direct.labels.allowed].sort()).toEqual(['administrative', 'clinical']);
  });

  it('denies what no rule permits, and lets a deny rule win over a permit', () => {
    expect(decide(['care-worker'], 'delete', 'Observation')).toMatchObject({ permitted: false, reason: expect.stringMatching(/no policy rule permits role care-worker to delete Observation/) });
    expect(decide(['care-worker', 'auditor'], 'search', 'AuditEvent')).toMatchObject({ permitted: false, rules: ['care-staff-no-audit-trail'] });
    expect(decide([], 'read', 'Patient').permitted).toBe(false);
  });

  it('asks for a relationship unless every permitting rule waives it', () => {
    const admin = decide(['platform-admin'], 'read', 'Patient');
    expect(admin.permitted && admin.relationship).toBe(false);
    const system = decide(['system'], 'read', 'Patient');
    expect(system.permitted && system.relationship).toBe(true);
  });
});

describe('label sets', () => {
  const defaults = engine.labelDefaults;
  const direct = new LabelSet(new Set(['administrative', 'clinical'] as const));
  const labelled = (resourceType: string, system?: string, code?: string) => ({ resourceType, ...(system ? { meta: { security: [{ system, code }] } } : {}) }) as Resource;
  it('see a resource by its labels, or its type default when it has none', () => {
    expect(direct.sees(defaults, labelled('Observation'))).toBe(true);
    expect(direct.sees(defaults, labelled('Flag', SENSITIVITY_SYSTEM, 'restricted'))).toBe(false);
    expect(direct.sees(defaults, labelled('Flag', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', 'V'))).toBe(false);
  });

  it('become search parameters: no label outside the set, and an explicit one inside it when the type default is outside', () => {
    expect(direct.searchParams(defaults, 'Observation')).toEqual([['_security:not', `${SENSITIVITY_SYSTEM}|restricted,http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R,http://terminology.hl7.org/CodeSystem/v3-Confidentiality|V`]]);
    const adminOnly = new LabelSet(new Set(['administrative'] as const));
    expect(adminOnly.searchParams(defaults, 'Observation')).toContainEqual(['_security', `${SENSITIVITY_SYSTEM}|administrative`]);
    expect(adminOnly.searchParams(defaults, 'Patient')).toHaveLength(1);
    expect(new LabelSet(new Set(['administrative', 'clinical', 'restricted'] as const)).searchParams(defaults, 'Flag')).toEqual([]);
  });
});

describe('SMART scopes', () => {
  it('reads v2 permissions and v1 read/write, per type or for all', () => {
    expect(scopesAllow(['system/Patient.rs'], 'Patient', 's')).toBe(true);
    expect(scopesAllow(['system/Patient.rs'], 'Patient', 'c')).toBe(false);
    expect(scopesAllow(['system/Patient.rs'], 'Observation', 'r')).toBe(false);
    expect(scopesAllow(['user/*.cruds'], 'Observation', 'd')).toBe(true);
    expect(scopesAllow(['system/*.read'], 'Flag', 's')).toBe(true);
    expect(scopesAllow(['system/*.read'], 'Flag', 'u')).toBe(false);
    expect(scopesAllow(['system/*.write'], 'Flag', 'u')).toBe(true);
    expect(scopesAllow(['patient/*.read'], 'Flag', 'r')).toBe(false);
    expect(scopesAllow(['system/*.sr'], 'Flag', 'r')).toBe(false);
  });
});

describe('policy documents', () => {
  const types = loadDefinitions().resourceTypes;
  it('accept the starter policy', () => {
    expect(() => checkPolicy(DEFAULT_POLICY, types)).not.toThrow();
  });

  it('name every problem and where it is', () => {
    const bad = { ...DEFAULT_POLICY, labels: { otherwise: 'secret' }, breakGlass: { roles: [], maxMinutes: 0 }, rules: [{ ...DEFAULT_POLICY.rules[0], id: DEFAULT_POLICY.rules[1].id }, DEFAULT_POLICY.rules[1], { ...DEFAULT_POLICY.rules[2], purposes: ['fun'] }] } as unknown as PolicyDocument;
    try {
      checkPolicy(bad, types);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FhirError);
      expect((err as FhirError).issues.map((i) => i.expression?.[0])).toEqual(['labels.otherwise', 'rules[1].id', 'rules[2].purposes[0]', 'breakGlass.maxMinutes']);
    }
  });
});
