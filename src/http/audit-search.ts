// `GET /fhir/AuditEvent?…` on the central base: the audit trail, for the roles the policy lets search
// it. `entity` / `patient` take `Patient/{id}` (a platform person: it also finds every
// access to the source records linked to it, answering "who has looked at this person's record") or a
// tenant record's absolute URL; `agent` a client id; `date` with ge/gt/le/lt/eq prefixes. Newest first.
// `total` is given when it is cheap (the search names records, or has no filter) or `_total=accurate`
// asks for it: a client's or a period's count means reading every block that may hold its events.
import { FhirError } from '../fhir/errors.js';
import type { AccessControl } from '../fhir/context.js';
import { bundle, queryString } from '../rest/bundle.js';
import { renderAuditEvent } from '../access/index.js';
import type { FhirResponse } from '../rest/types.js';
import { searchAudit } from '../store/index.js';
import type { AuditQuery } from '../store/index.js';
import type { Platform } from '../platform.js';
import { CENTRAL_TENANT } from '../platform.js';
import { recordOfUrl } from './audit.js';

const DEFAULT_COUNT = 50;
const MAX_COUNT = 1000;
const RELATIVE = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

function entityKey(value: string, param: string): string {
  const rel = RELATIVE.exec(value);
  if (rel) return `${CENTRAL_TENANT}/${rel[1]}/${rel[2]}`;
  const record = recordOfUrl(value);
  if (record) return `${record.tenant}/${record.type}/${record.id}`;
  throw new FhirError('invalid', { diagnostics: `${param} must be Patient/{id} (a platform person) or a tenant record's absolute URL`, expression: param });
}

function instant(value: string): { prefix: string; at: string } {
  const m = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?)?)?)$/.exec(value);
  const at = m ? new Date(m[2].length === 4 ? `${m[2]}-01-01` : m[2].length === 7 ? `${m[2]}-01` : m[2]) : undefined;
  if (!m || !at || Number.isNaN(at.getTime())) throw new FhirError('invalid', { diagnostics: `date must be a FHIR date or instant with an optional ge/gt/le/lt/eq prefix, got '${value}'`, expression: 'date' });
  return { prefix: m[1] ?? 'eq', at: at.toISOString() };
}

/** The policy decides who reads the trail (the starter policy: auditors and platform administrators). */
export async function searchAuditEvents(platform: Platform, access: AccessControl, base: string, query: [string, string][]): Promise<FhirResponse> {
  access.authorise({ interaction: 'search', type: 'AuditEvent', access: 's' });
  const q: AuditQuery = { limit: DEFAULT_COUNT, offset: 0 };
  for (const [name, value] of query) {
    if (name === 'entity' || name === 'patient') q.entities = [...(q.entities ?? []), ...value.split(',').map((v) => entityKey(v, name))];
    else if (name === 'agent') q.agent = value;
    else if (name === 'date') {
      const { prefix, at } = instant(value);
      if (prefix === 'ge' || prefix === 'gt' || prefix === 'eq') q.from = at;
      if (prefix === 'le' || prefix === 'lt') q.to = at;
    } else if (name === '_count') q.limit = Math.min(MAX_COUNT, Math.max(1, Number(value) || DEFAULT_COUNT));
    else if (name === '_offset') q.offset = Math.max(0, Number(value) || 0);
    else if (name === '_total') {
      if (!['none', 'estimate', 'accurate'].includes(value)) throw new FhirError('invalid', { diagnostics: `_total must be none, estimate or accurate, got '${value}'`, expression: '_total' });
      q.total = value === 'accurate';
    } else if (name !== '_format' && name !== '_pretty') throw new FhirError('invalid', { diagnostics: `Unknown AuditEvent search parameter '${name}' (entity, patient, agent, date, _count, _offset, _total)`, expression: name });
  }
  const found = await searchAudit(platform.db, q, CENTRAL_TENANT);
  const kept = query.filter(([k]) => k !== '_offset' && k !== '_count');
  const page = (offset: number): string => `${base}/AuditEvent?${queryString([...kept, ['_count', String(q.limit)], ['_offset', String(offset)]])}`;
  const link = [{ relation: 'self', url: page(q.offset) }];
  if (found.more) link.push({ relation: 'next', url: page(q.offset + q.limit) });
  const entries = found.events.map((stored) => {
    const event = renderAuditEvent(stored);
    return { fullUrl: `${base}/AuditEvent/${event.id}`, resource: event, search: { mode: 'match' as const } };
  });
  return { status: 200, headers: {}, body: bundle('searchset', entries, { ...(found.total !== undefined ? { total: found.total } : {}), link }) };
}
