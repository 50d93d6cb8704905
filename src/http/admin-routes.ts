// The admin API (platform administrators): tenants and OAuth clients. `scip tenant add` and `scip client
// add` do the same from the command line.
// A new tenant's MODS catalogue is installed by the process serving it, on its first request (tenants.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { addTenant } from '../federation/tenants.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { Platform } from '../platform.js';
import { registerClient } from '../access/index.js';
import { platform as platformRecords } from '../store/index.js';
import type { ClientRecord } from '../store/index.js';
import { authenticateWithRole, PLATFORM_ADMIN } from './authenticate.js';

/** A string field of a request body; undefined when absent and optional. */
export function text(v: unknown, field: string, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new FhirError('invalid', { diagnostics: `${field} must be a string`, expression: field });
  return v;
}

/** A field of a request body that is an array of strings, or absent. */
function strings(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new FhirError('invalid', { diagnostics: `${field} must be an array of strings`, expression: field });
  return v as string[];
}

export function adminRoutes(app: FastifyInstance, platform: Platform): void {
  const requireAdmin = (request: FastifyRequest) => authenticateWithRole(platform.tokens, request, [PLATFORM_ADMIN], 'The admin API is for platform administrators');

  app.get('/admin/tenants', async (request) => {
    await requireAdmin(request);
    return (await platformRecords.listTenants(platform.db)).filter((t) => t.id !== CENTRAL_TENANT);
  });

  app.post('/admin/tenants', async (request, reply) => {
    await requireAdmin(request);
    const body = request.body as { id?: unknown; name?: unknown; kind?: unknown; odsCode?: unknown } | undefined;
    const tenant = await addTenant(
      platform.db,
      { id: text(body?.id, 'id', true) as string, name: text(body?.name, 'name', true) as string, kind: text(body?.kind, 'kind', false) ?? 'care-provider', odsCode: text(body?.odsCode, 'odsCode', false) },
      CENTRAL_TENANT,
    );
    return reply.code(201).header('location', `${platform.config.publicUrl}/tenants/${tenant.id}/fhir`).send(tenant);
  });

  /** A client as the admin API shows it: never its secret hash. */
  const view = ({ secretHash: _hash, ...c }: ClientRecord) => ({ ...c, authentication: c.jwks ? 'private_key_jwt' : 'client_secret' });

  app.get('/admin/clients', async (request) => {
    await requireAdmin(request);
    return (await platformRecords.listClients(platform.db)).map(view);
  });

  app.post('/admin/clients', async (request, reply) => {
    await requireAdmin(request);
    const body = (request.body ?? {}) as { clientId?: unknown; name?: unknown; tenant?: unknown; roles?: unknown; scopes?: unknown; jwks?: unknown };
    const clientId = text(body.clientId, 'clientId', true) as string;
    const tenant = text(body.tenant, 'tenant', false);
    const name = text(body.name, 'name', false);
    const roles = strings(body.roles, 'roles') ?? ['system'];
    const scopes = strings(body.scopes, 'scopes');
    const created = await registerClient(platform.db, { clientId, roles, ...(scopes ? { scopes } : {}), ...(tenant ? { tenant } : {}), ...(name ? { name } : {}), ...(body.jwks !== undefined ? { jwks: body.jwks } : {}) });
    return reply.code(201).header('location', `${platform.config.publicUrl}/admin/clients/${created.clientId}`).header('cache-control', 'no-store').send(created);
  });

  app.patch('/admin/clients/:clientId', async (request) => {
    await requireAdmin(request);
    const { clientId } = request.params as { clientId: string };
    const body = (request.body ?? {}) as { disabled?: unknown };
    if (typeof body.disabled !== 'boolean') throw new FhirError('invalid', { diagnostics: 'disabled must be true or false', expression: 'disabled' });
    if (!(await platformRecords.setClientDisabled(platform.db, clientId, body.disabled))) throw new FhirError('not-found', { diagnostics: `No client '${clientId}'` });
    return view((await platformRecords.findClient(platform.db, clientId)) as ClientRecord);
  });
}
