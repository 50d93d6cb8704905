// Bearer-token authentication and the tenant boundary: a tenant's client reaches only its own DPL;
// the central base is readable by any authenticated client and writable by platform admins.
import { FhirError } from '../fhir/errors.js';
import { PLATFORM_INTERNAL_CLIENT } from '../fhir/context.js';
import type { Principal } from '../fhir/context.js';
import type { TokenService } from '../access/index.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { FastifyRequest } from 'fastify';
import { auditNote } from './audit.js';

export const PLATFORM_ADMIN = 'platform-admin';

export async function authenticate(tokens: TokenService, authorization: string | undefined): Promise<Principal> {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m) {
    throw new FhirError('unauthorized', { diagnostics: 'This endpoint needs Authorization: Bearer <token> (get one at /oauth2/token)', code: 'login' }, {
      'www-authenticate': 'Bearer',
    });
  }
  return tokens.verify(m[1]);
}

/** Authenticates a request, notes who it is for the audit trail, and holds the client to its rate limit. */
export async function authenticateRequest(tokens: TokenService, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticate(tokens, request.headers.authorization);
  auditNote(request).principal = principal;
  if (principal.clientId !== PLATFORM_INTERNAL_CLIENT) request.server.clientLimits.take(`client:${principal.clientId}`, `Client '${principal.clientId}'`);
  return principal;
}

/** Authenticates a request to a platform endpoint that only some roles may use (403 otherwise). */
export async function authenticateWithRole(tokens: TokenService, request: FastifyRequest, roles: readonly string[], diagnostics: string): Promise<Principal> {
  const principal = await authenticateRequest(tokens, request);
  if (!principal.roles.some((r) => roles.includes(r))) throw new FhirError('forbidden', { diagnostics });
  return principal;
}

/** `writes`: whether the request can change the store (reads, searches and read-only operations cannot). */
export function authoriseTenant(principal: Principal, tenant: string, writes: boolean): void {
  if (principal.roles.includes(PLATFORM_ADMIN)) return;
  if (tenant === CENTRAL_TENANT) {
    if (!writes) return;
    throw new FhirError('forbidden', { diagnostics: 'Only platform administrators may write to the central store; publish through your tenant base' });
  }
  if (principal.tenant !== tenant) {
    throw new FhirError('forbidden', { diagnostics: `Client '${principal.clientId}' may not access tenant '${tenant}'` });
  }
}
