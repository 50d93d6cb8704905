// Subject-of-care registration on a tenant (api-contract.md): the payload becomes the tenant's Patient
// and a registration request, answered 202 at once; the request moves from pending to registered (or
// failed, with a reason) when the central platform has processed the Patient.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import { registrationView, requestRegistration } from '../federation/index.js';
import { MODS_JSON } from '../mods/index.js';
import type { Platform } from '../platform.js';
import type { Registration } from '../store/index.js';
import { authoriseTenantRoute } from './access.js';
import type { RequireTenant } from './tenants.js';

export function registrationRoutes(app: FastifyInstance, platform: Platform, requireTenant: RequireTenant): void {
  const { mods, repo } = platform;

  app.post('/tenants/:tenant/mods/subjects-of-care/register', async (request, reply) => {
    const { tenant } = request.params as { tenant: string };
    await authoriseTenantRoute(platform, request, requireTenant, tenant, { interaction: 'create', type: 'Patient', access: 'c' });
    if (request.body === undefined) throw new FhirError('invalid', { diagnostics: 'The body must be a MODS subject of care with its subjectOfCareId (application/json)', expression: 'subjectOfCare' });
    const id = randomUUID();
    let registration: Registration | undefined;
    await mods.register(repo, tenant, request.body, async (tx, written) => {
      registration = await requestRegistration(tx, id, tenant, written.id, written.version);
    });
    if (!registration) throw new FhirError('fault', { diagnostics: 'The registration request was not recorded' });
    return reply
      .code(202)
      .header('location', `${platform.config.publicUrl}/tenants/${tenant}/mods/registrations/${id}`)
      .type(MODS_JSON)
      .send(JSON.stringify(registrationView(registration)));
  });

  app.get('/tenants/:tenant/mods/registrations/:id', async (request, reply) => {
    const { tenant, id } = request.params as { tenant: string; id: string };
    await authoriseTenantRoute(platform, request, requireTenant, tenant, { interaction: 'read', type: 'Patient', access: 'r' });
    const registration = await repo.federation.registration(tenant, id);
    if (!registration) throw new FhirError('not-found', { diagnostics: `No registration '${id}' on tenant '${tenant}'` });
    return reply.type(MODS_JSON).send(JSON.stringify(registrationView(registration)));
  });
}
