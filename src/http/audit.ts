// Auditing at the edge: every request except the public discovery endpoints leaves an AuditEvent in
// the hash-chained trail. Routes note who is asking and what they touched; as its response is about to
// be sent (onSend) the request's facts are taken and handed to the audit log. A request the trail
// cannot take (it cannot be written, or is too far behind) fails closed: 500, and none of the answer
// it would have given.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditRecord } from '../access/index.js';
import type { AuditFacts } from '../access/index.js';
import type { Principal } from '../fhir/context.js';
import { FhirError } from '../fhir/errors.js';
import type { BundleOut } from '../rest/bundle.js';
import { RawJson } from '../rest/raw-json.js';
import type { FhirResponse } from '../rest/types.js';
import type { Platform } from '../platform.js';
import { CENTRAL_TENANT } from '../platform.js';
import { FHIR_JSON } from './content.js';

export interface AuditNote {
  principal?: Principal;
  tenant?: string;
  site?: string;
  interaction?: AuditFacts['interaction'];
  action?: AuditFacts['action'];
  purpose?: AuditFacts['purpose'];
  breakGlass?: string;
  policyVersion?: number;
  entities: Map<string, string>;
}

const notes = new WeakMap<FastifyRequest, AuditNote>();

export function auditNote(request: FastifyRequest): AuditNote {
  let note = notes.get(request);
  if (!note) notes.set(request, (note = { entities: new Map() }));
  return note;
}

/** Endpoints that serve no one's data: discovery, health, the capability statement. */
const UNAUDITED = /^\/(healthz|\.well-known\/|oauth2\/jwks|fhir\/metadata|tenants\/[^/]+\/fhir\/metadata)(\?|$|\/)/;

const ACTION_BY_METHOD: Record<string, AuditFacts['action']> = { GET: 'R', HEAD: 'R', POST: 'C', PUT: 'U', PATCH: 'U', DELETE: 'D' };

export function registerAudit(app: FastifyInstance, platform: Platform): void {
  // Not async: write-behind, the response goes out within reply.send() itself — an async hook would
  // hold it for a promise that has nothing to wait for, and a handler returning the reply before it is
  // sent makes Fastify watch the response stream for its end.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (UNAUDITED.test(request.url)) return done(null, payload);
    const note = auditNote(request);
    const principal = note.principal;
    const path = request.url.split('?')[0];
    const facts: AuditFacts = {
      id: randomUUID(),
      recorded: new Date().toISOString(),
      tenant: note.tenant ?? CENTRAL_TENANT,
      site: note.site ?? platform.config.publicUrl,
      agent: { clientId: principal?.clientId ?? 'anonymous', tenant: principal?.tenant, roles: principal?.roles ?? [], address: request.ip },
      purpose: note.purpose ?? 'direct-care',
      breakGlass: note.breakGlass,
      policyVersion: note.policyVersion,
      action: note.action ?? ACTION_BY_METHOD[request.method] ?? 'E',
      interaction: note.interaction ?? { fhir: false, code: `${request.method} ${request.routeOptions.url ?? path}` },
      status: reply.statusCode,
      request: `${request.method} ${path}`,
      entities: [...note.entities].map(([key, url]) => ({ key, url })),
      correlationId: String(request.id),
    };
    const failClosed = (err: unknown): void => {
      request.log.error({ err }, 'audit trail unavailable: the request fails closed');
      for (const header of ['location', 'content-location', 'etag', 'last-modified']) reply.removeHeader(header);
      void reply.code(500).type(FHIR_JSON);
      done(null, JSON.stringify(new FhirError('fault', { diagnostics: 'The audit trail could not be written, so this request was not answered; try again later' }).toOutcome()));
    };
    let written: Promise<void> | undefined;
    try {
      written = platform.audit.record(() => auditRecord(facts));
    } catch (err) {
      return failClosed(err);
    }
    if (!written) return done(null, payload);
    written.then(() => done(null, payload), failClosed);
  });
}

const ENTRY_URL = /\/tenants\/([^/]+)\/fhir\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$|\/fhir\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/** The record an absolute URL names: a tenant's (`…/tenants/{t}/fhir/{Type}/{id}`) or the central store's (`…/fhir/{Type}/{id}`). */
export function recordOfUrl(url: string): { tenant: string; type: string; id: string } | undefined {
  const m = ENTRY_URL.exec(url);
  return m ? { tenant: m[1] ?? CENTRAL_TENANT, type: m[2] ?? m[4], id: m[3] ?? m[5] } : undefined;
}
const WRITTEN = /\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})\/_history\/[^/]+$/;
const PATIENT_REFERENCE = /"reference":"Patient\/([A-Za-z0-9\-.]{1,64})"/g;

/**
 * The records a FHIR request touched, for the audit (besides the one its path names: notePathEntity):
 * what it wrote, and in what it answers every Patient returned and every Patient referred to — so a
 * search names every person it returned.
 */
export function notePathEntity(note: AuditNote, tenant: string, base: string, path: string[]): void {
  // Noted before the request is handled, so that a refused or failed request names what it asked for.
  if (path.length >= 2 && /^[A-Z]/.test(path[0]) && !path[1].startsWith('$') && !path[1].startsWith('_')) note.entities.set(`${tenant}/${path[0]}/${path[1]}`, `${base}/${path[0]}/${path[1]}`);
}

export function noteFhirEntities(note: AuditNote, tenant: string, base: string, res: FhirResponse, tenantBase: (t: string) => string): void {
  const add = (t: string, type: string, id: string, url: string): void => void note.entities.set(`${t}/${type}/${id}`, url);
  // What a create (or update, conditional or not) wrote, from its Location.
  const written = res.headers.location ? WRITTEN.exec(res.headers.location) : null;
  if (written) add(tenant, written[1], written[2], `${base}/${written[1]}/${written[2]}`);
  const patientsIn = (text: string, t: string, tBase: string): void => {
    for (const m of text.matchAll(PATIENT_REFERENCE)) add(t, 'Patient', m[1], `${tBase}/Patient/${m[1]}`);
  };
  const body = res.body;
  if (!body) return;
  if (body instanceof RawJson) return patientsIn(body.text, tenant, base);
  if ((body as BundleOut).resourceType === 'Bundle') {
    for (const entry of (body as BundleOut).entry ?? []) {
      const record = entry.fullUrl ? recordOfUrl(entry.fullUrl) : undefined;
      const entryTenant = record?.tenant ?? tenant;
      const entryBase = record && record.tenant !== CENTRAL_TENANT ? tenantBase(record.tenant) : base;
      if (record?.type === 'Patient') add(entryTenant, 'Patient', record.id, entry.fullUrl as string);
      const resource = entry.resource;
      if (resource) patientsIn(resource instanceof RawJson ? resource.text : JSON.stringify(resource), entryTenant, entryBase);
    }
    return;
  }
  patientsIn(JSON.stringify(body), tenant, base);
}
