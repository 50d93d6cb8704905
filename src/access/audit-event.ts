// One FHIR AuditEvent per audited request: who (client, its tenant and roles, network address), on
// whose behalf and why (purpose of use), what (the interaction and every record it touched), where
// (the base), when, the outcome and the correlation id. The trail stores the facts (no fixed codings or
// system URLs: decision 0019), less what the stored event's header already holds (decision 0026), and
// the AuditEvent is rendered from them when read, so what each request costs the trail stays small.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { AuditRecord, BlockEvent } from '../store/index.js';
import type { Purpose } from './policy/document.js';

export const CORRELATION_EXTENSION = 'https://openscip.org/fhir/StructureDefinition/correlation-id';
const CLIENT_SYSTEM = 'https://openscip.org/Id/client';
const ROLE_SYSTEM = 'https://openscip.org/fhir/CodeSystem/role';
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';
const API_CALL_SYSTEM = 'https://openscip.org/fhir/CodeSystem/api-call';
export const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const OUR_PURPOSE_SYSTEM = 'https://openscip.org/fhir/CodeSystem/purpose-of-use';
export const BREAK_GLASS_EXTENSION = 'https://openscip.org/fhir/StructureDefinition/break-glass-grant';
const POLICY_EXTENSION = 'https://openscip.org/fhir/StructureDefinition/access-policy-version';

/** Our purposes of use as AuditEvent codings: HL7 TREAT and ETREAT, and safeguarding (no HL7 code). */
const PURPOSE_CODING: Record<Purpose, { system: string; code: string; display: string }> = {
  'direct-care': { system: PURPOSE_SYSTEM, code: 'TREAT', display: 'treatment' },
  'break-glass': { system: PURPOSE_SYSTEM, code: 'ETREAT', display: 'Emergency Treatment' },
  safeguarding: { system: OUR_PURPOSE_SYSTEM, code: 'safeguarding', display: 'Safeguarding' },
};

export interface AuditFacts {
  id: string;
  recorded: string;
  tenant: string;
  /** The base the request came to (AuditEvent.source.site). */
  site: string;
  agent: { clientId: string; tenant?: string; roles: readonly string[]; address?: string };
  purpose: Purpose;
  /** The break-glass grant the request was let through on, when one was. */
  breakGlass?: string;
  /** The policy version that decided. */
  policyVersion?: number;
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

/**
 * An event's content as stored: its facts less what the stored event's header says (id, time, tenant,
 * client, the keys of the records named), and of the records' URLs only those not at the event's base.
 */
interface StoredFacts {
  site: string;
  agent: { tenant?: string; roles: readonly string[]; address?: string };
  purpose: Purpose;
  breakGlass?: string;
  policyVersion?: number;
  action: AuditFacts['action'];
  interaction: AuditFacts['interaction'];
  status: number;
  request: string;
  correlationId: string;
  /** The URL of each record named that is not read at `{site}/{Type}/{id}` (another tenant's, say). */
  elsewhere?: Record<string, string>;
}

/** Where a record (`{tenant}/{Type}/{id}`) is read at an event's base, when it is that base's tenant's. */
const urlAtBase = (site: string, tenant: string, key: string): string | undefined => (key.startsWith(`${tenant}/`) ? `${site}/${key.slice(tenant.length + 1)}` : undefined);

/** What the trail stores for a request: its facts, hashed into the chain with the header made of the record's other fields. */
export function auditRecord(f: AuditFacts): AuditRecord {
  let elsewhere: Record<string, string> | undefined;
  for (const e of f.entities) if (e.url !== urlAtBase(f.site, f.tenant, e.key)) (elsewhere ??= {})[e.key] = e.url;
  // Properties left undefined are left out by JSON.stringify; listed one by one so that every event has one shape.
  const stored: StoredFacts = {
    site: f.site, agent: { tenant: f.agent.tenant, roles: f.agent.roles, address: f.agent.address }, purpose: f.purpose, breakGlass: f.breakGlass, policyVersion: f.policyVersion,
    action: f.action, interaction: f.interaction, status: f.status, request: f.request, correlationId: f.correlationId, elsewhere,
  };
  return { id: f.id, recorded: f.recorded, tenant: f.tenant, agent: f.agent.clientId, content: JSON.stringify(stored), entities: f.entities.map((e) => e.key) };
}

/**
 * The FHIR AuditEvent of a stored event. Events stored before decision 0026 hold their facts whole,
 * and those stored before the trail stored facts their AuditEvent itself, which is returned as it is.
 */
export function renderAuditEvent(e: Pick<BlockEvent, 'id' | 'recorded' | 'tenant' | 'agent' | 'entities' | 'content'>): AuditEvent {
  const stored = JSON.parse(e.content) as AuditFacts | AuditEvent | StoredFacts;
  if ('resourceType' in stored) return stored;
  if ('id' in stored) return auditEvent(stored);
  const { elsewhere, agent, ...rest } = stored;
  return auditEvent({
    ...rest,
    id: e.id,
    recorded: e.recorded,
    tenant: e.tenant,
    agent: { clientId: e.agent, ...agent },
    entities: e.entities.map((key) => ({ key, url: elsewhere?.[key] ?? urlAtBase(stored.site, e.tenant, key) ?? key })),
  });
}

function auditEvent(f: AuditFacts): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: f.id,
    extension: [
      { url: CORRELATION_EXTENSION, valueString: f.correlationId },
      ...(f.breakGlass ? [{ url: BREAK_GLASS_EXTENSION, valueString: f.breakGlass }] : []),
      ...(f.policyVersion !== undefined ? [{ url: POLICY_EXTENSION, valueInteger: f.policyVersion }] : []),
    ],
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [f.interaction.fhir ? { system: INTERACTION_SYSTEM, code: f.interaction.code } : { system: API_CALL_SYSTEM, code: f.interaction.code }],
    action: f.action,
    recorded: f.recorded,
    outcome: f.status < 400 ? '0' : f.status < 500 ? '4' : '8',
    outcomeDesc: `${f.status} ${f.request}`,
    purposeOfEvent: [{ coding: [PURPOSE_CODING[f.purpose]] }],
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
}
