// The access policy and break-glass review through the admin API: platform administrators read and
// replace the policy (every version kept); auditors and administrators review break-glass grants.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLES } from '../access/index.js';
import { FhirError } from '../fhir/errors.js';
import type { Platform } from '../platform.js';
import { text } from './admin-routes.js';
import { authenticateWithRole, PLATFORM_ADMIN } from './authenticate.js';

const REVIEWERS = [PLATFORM_ADMIN, ROLES.auditor];

export function accessAdminRoutes(app: FastifyInstance, platform: Platform): void {
  const admin = (request: FastifyRequest) =>
    authenticateWithRole(platform.tokens, request, [PLATFORM_ADMIN], 'The access policy is managed by platform administrators');
  const reviewer = (request: FastifyRequest) =>
    authenticateWithRole(platform.tokens, request, REVIEWERS, 'Break-glass grants are reviewed by auditors and platform administrators');

  app.get('/admin/policy', async (request) => {
    await admin(request);
    return (await platform.repo.access.policies(1))[0];
  });

  app.get('/admin/policy/versions', async (request) => {
    await admin(request);
    return (await platform.repo.access.policies()).map(({ document: _document, ...v }) => v);
  });

  app.put('/admin/policy', async (request) => {
    const principal = await admin(request);
    const engine = await platform.policies.set(request.body, principal.clientId);
    return { version: engine.version, author: principal.clientId, document: engine.document };
  });

  app.get('/admin/break-glass', async (request) => {
    await reviewer(request);
    const { unreviewed } = request.query as { unreviewed?: string };
    return platform.repo.access.breakGlassGrants({ unreviewed: unreviewed === 'true' });
  });

  app.post('/admin/break-glass/:id/review', async (request) => {
    const principal = await reviewer(request);
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as { outcome?: unknown; note?: unknown };
    if (body.outcome !== 'appropriate' && body.outcome !== 'inappropriate') {
      throw new FhirError('invalid', { diagnostics: "outcome must be 'appropriate' or 'inappropriate'", expression: 'outcome' });
    }
    const reviewed = await platform.repo.access.reviewBreakGlass(id, principal.clientId, body.outcome, text(body.note, 'note', false));
    if (!reviewed) throw new FhirError('not-found', { diagnostics: `No break-glass grant '${id}'` });
    if (reviewed === 'already-reviewed') throw new FhirError('conflict', { diagnostics: `Break-glass grant '${id}' has already been reviewed` });
    return reviewed;
  });
}
