// Builds a request's access control at the edge: the policy in force, the caller, their stated purpose
// of use (`X-Purpose-Of-Use`: direct-care by default, safeguarding, or break-glass), noted for the audit.
import type { FastifyRequest } from 'fastify';
import { PURPOSES, requestAccess } from '../access/index.js';
import type { Purpose } from '../access/index.js';
import type { AccessControl, AccessGrant, AccessRequest, Principal } from '../fhir/context.js';
import { FhirError } from '../fhir/errors.js';
import type { Platform } from '../platform.js';
import { CENTRAL_TENANT } from '../platform.js';
import { auditNote } from './audit.js';
import { authenticateRequest, authoriseTenant } from './authenticate.js';
import type { RequireTenant } from './tenants.js';

const PURPOSE_HEADER = 'x-purpose-of-use';

/** The HL7 codes some clients send, in our words. */
const PURPOSE_ALIASES: Record<string, Purpose> = { TREAT: 'direct-care', ETREAT: 'break-glass' };

export function purposeOf(request: FastifyRequest): Purpose {
  const raw = request.headers[PURPOSE_HEADER];
  if (raw === undefined || raw === '') return 'direct-care';
  const value = Array.isArray(raw) ? raw[0] : raw;
  const purpose = PURPOSE_ALIASES[value] ?? value;
  if (!(PURPOSES as readonly string[]).includes(purpose)) {
    throw new FhirError('invalid', { diagnostics: `X-Purpose-Of-Use must be one of ${PURPOSES.join(', ')} (or TREAT, ETREAT); got '${value}'`, expression: 'X-Purpose-Of-Use' });
  }
  return purpose as Purpose;
}

export function accessFor(platform: Platform, request: FastifyRequest, principal: Principal, tenant: string): AccessControl {
  const note = auditNote(request);
  const purpose = purposeOf(request);
  const engine = platform.policies.engine;
  note.purpose = purpose;
  note.policyVersion = engine.version;
  return requestAccess({
    engine,
    principal,
    purpose,
    central: tenant === CENTRAL_TENANT,
    repo: platform.repo,
    clock: () => new Date(),
    onBreakGlass: (grant) => void (note.breakGlass = grant.id),
  });
}

/** The first checks of a tenant route outside the FHIR engine: the caller authenticated, the tenant exists and is theirs. */
export async function admitToTenant(platform: Platform, request: FastifyRequest, requireTenant: RequireTenant, tenant: string): Promise<Principal> {
  auditNote(request).tenant = tenant;
  const principal = await authenticateRequest(platform.tokens, request);
  await requireTenant(tenant);
  authoriseTenant(principal, tenant, request.method !== 'GET' && request.method !== 'HEAD');
  return principal;
}

/** The checks of a tenant route outside the FHIR engine (MODS, registrations): admitted, and the policy permits the access on the type. */
export async function authoriseTenantRoute(platform: Platform, request: FastifyRequest, requireTenant: RequireTenant, tenant: string, access: AccessRequest): Promise<AccessGrant> {
  const principal = await admitToTenant(platform, request, requireTenant, tenant);
  return accessFor(platform, request, principal, tenant).authorise(access);
}
