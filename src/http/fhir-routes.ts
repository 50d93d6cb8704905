// Adapts Fastify to the REST engine for the central base (/fhir) and every tenant base
// (/tenants/{tenant}/fhir): path and ordered query in, FhirResponse out.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import type { Principal, RequestContext } from '../fhir/context.js';
import type { HttpMethod } from '../rest/types.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { Platform } from '../platform.js';
import { auditNote, noteFhirEntities, notePathEntity } from './audit.js';
import { searchAuditEvents } from './audit-search.js';
import type { AuditNote } from './audit.js';
import { PERMIT_ALL } from '../access/index.js';
import { accessFor } from './access.js';
import { authenticateRequest, authoriseTenant } from './authenticate.js';
import { checkAcceptable, FHIR_JSON, renderBody } from './content.js';
import type { RequireTenant } from './tenants.js';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new FhirError('invalid', { diagnostics: `The URL path segment '${segment}' is not valid percent-encoding` });
  }
}

const ANONYMOUS: Principal = { clientId: 'anonymous', roles: [], scopes: [] };
const METHODS: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The FHIR interaction a request is (restful-interaction codes) and its audit action. */
function fhirInteraction(method: HttpMethod, path: string[]): Pick<AuditNote, 'interaction' | 'action'> {
  const last = path[path.length - 1] ?? '';
  const of = (code: string, action: AuditNote['action']): Pick<AuditNote, 'interaction' | 'action'> => ({ interaction: { fhir: true, code }, action });
  if (last.startsWith('$')) return of('operation', 'E');
  if (method === 'GET' || method === 'HEAD') {
    if (path.includes('_history')) return of(path.length === 4 ? 'vread' : path.length === 3 ? 'history-instance' : path.length === 2 ? 'history-type' : 'history-system', 'R');
    if (path.length === 2) return of('read', 'R');
    return of(path.length === 1 ? 'search-type' : 'search-system', 'E');
  }
  if (method === 'POST') return last === '_search' ? of(path.length === 2 ? 'search-type' : 'search-system', 'E') : path.length === 0 ? of('batch', 'E') : of('create', 'C');
  return of(method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : 'delete', method === 'DELETE' ? 'D' : 'U');
}

export function fhirRoutes(app: FastifyInstance, platform: Platform, requireTenant: RequireTenant): void {
  const readOnlyOperations = new Set(platform.router.operations.filter((o) => !o.affectsState).map((o) => `$${o.name}`));
  const writes = (method: HttpMethod, path: string[]): boolean => {
    if (method === 'GET' || method === 'HEAD') return false;
    const last = path[path.length - 1] ?? '';
    return !(method === 'POST' && (last === '_search' || readOnlyOperations.has(last)));
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const params = request.params as { tenant?: string; '*'?: string };
    const tenant = params.tenant ?? CENTRAL_TENANT;
    const prefix = params.tenant !== undefined ? `/tenants/${params.tenant}/fhir` : '/fhir';
    const base = `${platform.config.publicUrl}${prefix}`;
    const [, rawQuery] = request.url.split('?', 2);
    const path = (params['*'] ?? '').split('/').filter(Boolean).map(decodeSegment);
    const query = [...new URLSearchParams(rawQuery ?? '').entries()];
    const method = request.method as HttpMethod;
    let body = request.body;
    if (method === 'POST' && path[path.length - 1] === '_search') {
      if (body !== undefined && !Array.isArray(body)) throw new FhirError('unsupported-media-type', { diagnostics: 'POST _search takes application/x-www-form-urlencoded parameters' });
      query.push(...((body as [string, string][] | undefined) ?? []));
      body = undefined;
    }
    const note = auditNote(request);
    Object.assign(note, { tenant, site: base, ...fhirInteraction(method, path) });
    notePathEntity(note, tenant, base, path);
    checkAcceptable(query, request.headers.accept);
    const isPublic = path.length === 1 && path[0] === 'metadata' && (method === 'GET' || method === 'HEAD');
    // Authenticate before saying whether a tenant exists, so tenants cannot be probed anonymously.
    const principal = isPublic ? ANONYMOUS : await authenticateRequest(platform.tokens, request);
    if (params.tenant !== undefined) await requireTenant(params.tenant);
    else if (platform.config.topology.role === 'dpl') throw new FhirError('not-found', { diagnostics: 'This process is a data provision layer; the central base /fhir is served by the central platform' });
    if (!isPublic) authoriseTenant(principal, tenant, writes(method, path));
    const ctx: RequestContext = { tenant, base, correlationId: String(request.id), principal, access: isPublic ? PERMIT_ALL : accessFor(platform, request, principal, tenant) };
    // The central store's AuditEvents are the audit trail itself, not resources of the store.
    const auditTrail = tenant === CENTRAL_TENANT && path.length === 1 && path[0] === 'AuditEvent' && (method === 'GET' || method === 'HEAD');
    const res = auditTrail ? await searchAuditEvents(platform, ctx.access, base, query) : await platform.router.handle(
      ctx,
      {
        method,
        path,
        query,
        headers: request.headers as Record<string, string | undefined>,
        body,
        contentType: request.headers['content-type']?.split(';')[0].trim(),
      },
      platform.repo,
    );
    noteFhirEntities(note, tenant, base, res, (t) => `${platform.config.publicUrl}/tenants/${t}/fhir`);
    void reply.code(res.status).headers(res.headers);
    const text = method === 'HEAD' ? undefined : renderBody(res, query);
    if (text === undefined) return reply.send();
    return reply.type(res.contentType ?? FHIR_JSON).send(text);
  };

  for (const url of ['/fhir', '/fhir/*', '/tenants/:tenant/fhir', '/tenants/:tenant/fhir/*']) {
    app.route({ method: METHODS, url, handler, exposeHeadRoute: false });
  }
}
