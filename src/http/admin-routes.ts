// The admin API (platform administrators): tenants. `scip tenant add` does the same from the command line.
// A new tenant's MODS catalogue is installed by the process serving it, on its first request (tenants.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { addTenant } from '../federation/tenants.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { Platform } from '../platform.js';
import { platform as platformRecords } from '../store/index.js';
import { authenticateRequest, PLATFORM_ADMIN } from './authenticate.js';

export function adminRoutes(app: FastifyInstance, platform: Platform): void {
  const requireAdmin = async (request: FastifyRequest): Promise<void> => {
    const principal = await authenticateRequest(platform.tokens, request);
    if (!principal.roles.includes(PLATFORM_ADMIN)) throw new FhirError('forbidden', { diagnostics: 'The admin API is for platform administrators' });
  };

  app.get('/admin/tenants', async (request) => {
    await requireAdmin(request);
    return (await platformRecords.listTenants(platform.db)).filter((t) => t.id !== CENTRAL_TENANT);
  });

  app.post('/admin/tenants', async (request, reply) => {
    await requireAdmin(request);
    const body = request.body as { id?: unknown; name?: unknown; kind?: unknown; odsCode?: unknown } | undefined;
    const text = (v: unknown, field: string, required: boolean): string | undefined => {
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string') throw new FhirError('invalid', { diagnostics: `${field} must be a string`, expression: field });
      return v;
    };
    const tenant = await addTenant(
      platform.db,
      { id: text(body?.id, 'id', true) as string, name: text(body?.name, 'name', true) as string, kind: text(body?.kind, 'kind', false) ?? 'care-provider', odsCode: text(body?.odsCode, 'odsCode', false) },
      CENTRAL_TENANT,
    );
    return reply.code(201).header('location', `${platform.config.publicUrl}/tenants/${tenant.id}/fhir`).send(tenant);
  });
}
