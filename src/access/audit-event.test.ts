// The trail stores a request's facts; the AuditEvent read back is rendered from them, valid R4, and
// events stored before that (the AuditEvent itself) come back unchanged.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../fhir/definitions.js';
import { createTerminology } from '../fhir/terminology.js';
import type { Resource } from '../fhir/types.js';
import { createValidator } from '../fhir/validation.js';
import { auditRecord, CORRELATION_EXTENSION, renderAuditEvent } from './audit-event.js';
import type { AuditFacts } from './audit-event.js';

const facts: AuditFacts = {
  id: '0b6f5f0e-8f5c-4a8e-9d8e-3f4b1b2c9a10', recorded: '2026-11-29T13:00:00.000Z', tenant: 'sunrise-care', site: 'http://127.0.0.1:8080/tenants/sunrise-care/fhir',
  agent: { clientId: 'bench-care-worker', tenant: 'sunrise-care', roles: ['care-worker'], address: '127.0.0.1' }, purpose: 'break-glass', breakGlass: 'grant-7', policyVersion: 3,
  action: 'R', interaction: { fhir: true, code: 'read' }, status: 200, request: 'GET /tenants/sunrise-care/fhir/Patient/p1',
  entities: [{ key: 'sunrise-care/Patient/p1', url: 'http://127.0.0.1:8080/tenants/sunrise-care/fhir/Patient/p1' }], correlationId: 'request-1',
};

describe('audit events', () => {
  it('stores the facts and renders a valid AuditEvent from them', () => {
    const record = auditRecord(facts);
    expect(record).toMatchObject({ id: facts.id, recorded: facts.recorded, tenant: 'sunrise-care', agent: 'bench-care-worker', entities: ['sunrise-care/Patient/p1'] });
    const event = renderAuditEvent(record.content);
    expect(event).toMatchObject({
      resourceType: 'AuditEvent', id: facts.id, action: 'R', recorded: facts.recorded, outcome: '0', outcomeDesc: '200 GET /tenants/sunrise-care/fhir/Patient/p1',
      subtype: [{ code: 'read' }], purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }], entity: [{ what: { reference: facts.entities[0].url } }], source: { site: facts.site },
    });
    expect(event.agent?.[0]).toMatchObject({ who: { identifier: { value: 'bench-care-worker' } }, role: [{ coding: [{ code: 'care-worker' }] }], network: { address: '127.0.0.1' } });
    expect(event.extension).toContainEqual({ url: CORRELATION_EXTENSION, valueString: 'request-1' });
    expect(createValidator(loadDefinitions(), createTerminology()).validate(event as Resource)).toEqual([]);
    // About half the AuditEvent: what every request costs the trail.
    expect(record.content.length).toBeLessThan(JSON.stringify(event).length * 0.6);
  });

  it('returns an event stored as an AuditEvent as it was', () => {
    const stored = { resourceType: 'AuditEvent', id: 'old', recorded: '2026-11-01T00:00:00Z', type: { code: 'rest' }, agent: [], source: { observer: { display: 'OpenSCIP' } } };
    expect(renderAuditEvent(JSON.stringify(stored))).toEqual(stored);
  });
});
