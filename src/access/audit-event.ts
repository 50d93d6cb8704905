// One FHIR AuditEvent per audited request: who (client, its tenant and roles, network address), on
// whose behalf and why (purpose of use), what (the interaction and every record it touched), where
// (the base), when, the outcome and the correlation id.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditRecord } from '../store/index.js';

export const CORRELATION_EXTENSION = 'https://openscip.org/fhir/StructureDefinition/correlation-id';
const CLIENT_SYSTEM = 'https://openscip.org/Id/client';
const ROLE_SYSTEM = 'https://openscip.org/fhir/CodeSystem/role';
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';
const API_CALL_SYSTEM = 'https://openscip.org/fhir/CodeSystem/api-call';
export const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

export interface AuditFacts {
  id: string;
  recorded: string;
  tenant: string;
  /** The base the request came to (AuditEvent.source.site). */
  site: string;
  agent: { clientId: string; tenant?: string; roles: readonly string[]; address?: string };
  purpose: string;
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /** A FHIR restful interaction (read, search-type, create…), or another API call ("POST /oauth2/token"). */
  interaction: { fhir: boolean; code: string };
  status: number;
  /** Method and path, as received. */
  request: string;
  /** Records the request touched: `{tenant}/{Type}/{id}` with the absolute URL each is read at. */
  entities: { key: string; url: string }[];
  correlationId: string;
}

export function auditRecord(f: AuditFacts): AuditRecord {
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    id: f.id,
    extension: [{ url: CORRELATION_EXTENSION, valueString: f.correlationId }],
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [f.interaction.fhir ? { system: INTERACTION_SYSTEM, code: f.interaction.code } : { system: API_CALL_SYSTEM, code: f.interaction.code }],
    action: f.action,
    recorded: f.recorded,
    outcome: f.status < 400 ? '0' : f.status < 500 ? '4' : '8',
    outcomeDesc: `${f.status} ${f.request}`,
    purposeOfEvent: [{ coding: [{ system: PURPOSE_SYSTEM, code: f.purpose }] }],
    agent: [
      {
        who: { identifier: { system: CLIENT_SYSTEM, value: f.agent.clientId }, ...(f.agent.tenant ? { display: `${f.agent.clientId} (${f.agent.tenant})` } : {}) },
        requestor: true,
        ...(f.agent.roles.length ? { role: [{ coding: f.agent.roles.map((code) => ({ system: ROLE_SYSTEM, code })) }] } : {}),
        ...(f.agent.address ? { network: { address: f.agent.address, type: '2' as const } } : {}),
      },
    ],
    source: { site: f.site, observer: { display: 'OpenSCIP' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '3', display: 'Web Server' }] },
    ...(f.entities.length ? { entity: f.entities.map((e) => ({ what: { reference: e.url } })) } : {}),
  };
  return { id: f.id, recorded: f.recorded, tenant: f.tenant, agent: f.agent.clientId, content: JSON.stringify(event), entities: f.entities.map((e) => e.key) };
}
