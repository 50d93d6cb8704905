// The MODS API on each tenant (api-contract.md): publish, new version, read latest, history, list by
// subject. MODS JSON in and out; errors are OperationOutcomes whose expressions are MODS paths.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { MAX_LISTED, MODS_CLASSES, MODS_COLLECTION, MODS_JSON, modsClass } from '../mods/index.js';
import type { ModsClass } from '../mods/index.js';
import type { Platform } from '../platform.js';
import type { ScopeAccess } from '../fhir/context.js';
import type { Resource } from '../fhir/types.js';
import { admitToTenant, authoriseTenantRoute } from './access.js';
import type { RequireTenant } from './tenants.js';

interface ModsParams {
  tenant: string;
  class: string;
  id?: string;
}

export function modsRoutes(app: FastifyInstance, platform: Platform, requireTenant: RequireTenant): void {
  const { mods, repo } = platform;

  /**
   * Authenticates, checks the tenant and the caller's right to it, finds the class, and asks the policy
   * for the interaction on the class's FHIR type. MODS records carry no labels: their type's default applies.
   */
  const resolve = async (request: FastifyRequest, interaction: string, access: ScopeAccess): Promise<{ tenant: string; cls: ModsClass; id?: string }> => {
    const params = request.params as ModsParams;
    const cls = modsClass(params.class);
    if (!cls) {
      await admitToTenant(platform, request, requireTenant, params.tenant);
      throw new FhirError('not-found', { diagnostics: `Unknown MODS class '${params.class}' (${MODS_CLASSES.map((c) => c.name).join(', ')})` });
    }
    const grant = await authoriseTenantRoute(platform, request, requireTenant, params.tenant, { interaction, type: cls.resourceType, access });
    if (!grant.sees({ resourceType: cls.resourceType } as Resource)) {
      throw new FhirError('forbidden', { diagnostics: `Access denied: ${cls.name} records (${cls.resourceType}) carry a sensitivity label your role may not see for this purpose of use` });
    }
    return { tenant: params.tenant, cls, id: params.id };
  };
  const recordUrl = (tenant: string, cls: ModsClass, id: string): string => `${platform.config.publicUrl}/tenants/${tenant}/mods/${cls.name}/${id}`;
  const send = (reply: FastifyReply, status: number, body: unknown): FastifyReply => reply.code(status).type(MODS_JSON).send(JSON.stringify(body));
  const requireBody = (request: FastifyRequest, cls: ModsClass): unknown => {
    if (request.body === undefined) throw new FhirError('invalid', { diagnostics: `The body must be a MODS ${cls.resourceType} record (application/json)`, expression: cls.key });
    return request.body;
  };

  app.post('/tenants/:tenant/mods/:class', async (request, reply) => {
    const { tenant, cls } = await resolve(request, 'create', 'c');
    const result = await mods.publish(repo, tenant, cls, requireBody(request, cls));
    void reply.header('location', recordUrl(tenant, cls, result.id)).header('etag', `W/"${result.version}"`);
    return send(reply, 201, { id: result.id, version: result.version, fhir: result.fhir });
  });

  app.put('/tenants/:tenant/mods/:class/:id', async (request, reply) => {
    const { tenant, cls, id } = await resolve(request, 'update', 'u');
    const result = await mods.newVersion(repo, tenant, cls, id as string, requireBody(request, cls));
    void reply.header('location', recordUrl(tenant, cls, result.id)).header('etag', `W/"${result.version}"`);
    return send(reply, 200, { id: result.id, version: result.version, fhir: result.fhir });
  });

  app.get('/tenants/:tenant/mods/:class/:id', async (request, reply) => {
    const { tenant, cls, id } = await resolve(request, 'read', 'r');
    const record = await mods.read(repo, tenant, cls, id as string);
    void reply.header('etag', `W/"${record.versionNumber ?? ''}"`);
    return send(reply, 200, record);
  });

  app.get('/tenants/:tenant/mods/:class/:id/_history', async (request, reply) => {
    const { tenant, cls, id } = await resolve(request, 'history', 'r');
    const versions = await mods.history(repo, tenant, cls, id as string);
    return send(reply, 200, { resourceType: 'MODS-History', class: cls.name, recordUid: id, total: versions.length, versions });
  });

  app.get('/tenants/:tenant/mods/:class', async (request, reply) => {
    const { tenant, cls } = await resolve(request, 'search', 's');
    const subject = (request.query as Record<string, string | string[] | undefined>).subjectOfCare;
    if (typeof subject !== 'string' || subject === '') {
      throw new FhirError('invalid', { diagnostics: 'List records by subject: ?subjectOfCare={subjectOfCareId}', expression: 'subjectOfCare' });
    }
    const records = await mods.listBySubject(repo, tenant, cls, subject);
    return send(reply, 200, { resourceType: MODS_COLLECTION, total: records.length, ...(records.length === MAX_LISTED ? { truncated: true } : {}), records });
  });
}
