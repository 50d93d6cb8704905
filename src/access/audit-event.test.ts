// The trail stores a request's facts, less what the stored event's header holds; the AuditEvent read
// back is rendered from both, valid R4, and events stored in earlier forms (the facts whole, or the
// AuditEvent itself) come back as they did.
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
    const event = renderAuditEvent(record);
    expect(event).toMatchObject({
      resourceType: 'AuditEvent', id: facts.id, action: 'R', recorded: facts.recorded, outcome: '0', outcomeDesc: '200 GET /tenants/sunrise-care/fhir/Patient/p1',
      subtype: [{ code: 'read' }], purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }], entity: [{ what: { reference: facts.entities[0].url } }], source: { site: facts.site },
    });
    expect(event.agent?.[0]).toMatchObject({ who: { identifier: { value: 'bench-care-worker' } }, role: [{ coding: [{ code: 'care-worker' }] }], network: { address: '127.0.0.1' } });
    expect(event.extension).toContainEqual({ url: CORRELATION_EXTENSION, valueString: 'request-1' });
    expect(createValidator(loadDefinitions(), createTerminology()).validate(event as Resource)).toEqual([]);
    // Under a third of the AuditEvent: what every request costs the trail. Nothing the header holds is
    // stored twice, nor the URL of a record read at the event's own base.
    expect(record.content.length).toBeLessThan(JSON.stringify(event).length * 0.3);
    for (const repeated of [facts.id, facts.recorded, facts.entities[0].url, '"clientId"']) expect(record.content).not.toContain(repeated);
  });

  it('keeps the URL of a record read at another base', () => {
    const elsewhere = 'http://127.0.0.1:8080/tenants/oakwood/fhir/Patient/p9';
    const record = auditRecord({ ...facts, entities: [...facts.entities, { key: 'oakwood/Patient/p9', url: elsewhere }] });
    expect(record.entities).toEqual(['sunrise-care/Patient/p1', 'oakwood/Patient/p9']);
    expect(renderAuditEvent(record).entity).toEqual([{ what: { reference: facts.entities[0].url } }, { what: { reference: elsewhere } }]);
  });

  it('renders an event whose facts were stored whole (before decision 0026) as it did', () => {
    const whole = { id: 'other-id', recorded: '2026-11-01T00:00:00.000Z', tenant: 'sunrise-care', agent: 'bench-care-worker', entities: ['sunrise-care/Patient/p1'], content: JSON.stringify(facts) };
    expect(renderAuditEvent(whole)).toEqual(renderAuditEvent(auditRecord(facts)));
  });

  it('returns an event stored as an AuditEvent as it was', () => {
    const stored = { resourceType: 'AuditEvent', id: 'old', recorded: '2026-11-01T00:00:00Z', type: { code: 'rest' }, agent: [], source: { observer: { display: 'OpenSCIP' } } };
    expect(renderAuditEvent({ id: 'old', recorded: stored.recorded, tenant: 'sunrise-care', agent: 'x', entities: [], content: JSON.stringify(stored) })).toEqual(stored);
  });
});
