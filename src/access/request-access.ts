// The access decisions for one request: the policy in force applied to the caller's roles, purpose of
// use and token scopes; on the central base, the person-level checks — a legitimate relationship or a
// break-glass grant — and the person's consent to sharing.
import { randomUUID } from 'node:crypto';
import { FhirError } from '../fhir/errors.js';
import type { AccessControl, AccessGrant, AccessRequest, PersonReach, Principal } from '../fhir/context.js';
import type { Resource } from '../fhir/types.js';
import type { BreakGlassGrant, Repository } from '../store/index.js';
import { appliesTo, dissents, withholds } from './consent.js';
import type { Purpose } from './policy/document.js';
import type { PolicyEngine } from './policy/engine.js';
import { effectiveLabels } from './policy/labels.js';
import { scopesAllow } from './policy/scopes.js';

export interface RequestAccessOptions {
  engine: PolicyEngine;
  principal: Principal;
  purpose: Purpose;
  /** Whether the request came to the central base (the shared, cross-tenant view). */
  central: boolean;
  repo: Repository;
  clock: () => Date;
  /** Told when a break-glass grant lets the request through (for the audit record). */
  onBreakGlass?: (grant: BreakGlassGrant) => void;
}

const forbidden = (diagnostics: string): FhirError => new FhirError('forbidden', { diagnostics });

export function requestAccess(o: RequestAccessOptions): AccessControl {
  const { engine, principal, purpose } = o;
  const defaults = engine.labelDefaults;
  const grants = new Map<string, AccessGrant>();

  const decide = (req: AccessRequest) => {
    const decision = engine.decide({ roles: principal.roles, purpose, interaction: req.interaction, type: req.type });
    if (!decision.permitted) throw forbidden(`Access denied: ${decision.reason}`);
    if (!scopesAllow(principal.scopes, req.type, req.access)) {
      throw forbidden(`Access denied: the token's scopes (${principal.scopes.join(' ') || 'none'}) do not allow '${req.access}' on ${req.type}`);
    }
    return decision;
  };

  const authorise = (req: AccessRequest): AccessGrant => {
    const key = `${req.interaction}|${req.type}|${req.access}`;
    let grant = grants.get(key);
    if (grant) return grant;
    const decision = decide(req);
    const labels = decision.labels;
    grant = {
      searchFilters: labels.searchParams(defaults, req.type),
      unrestricted: labels.all,
      ...(o.central && decision.relationship ? { relatedTo: { tenant: principal.tenant, organisation: principal.organisation } } : {}),
      sees: (resource) => labels.sees(defaults, resource),
    };
    grants.set(key, grant);
    return grant;
  };

  const reach = async (personId: string, req: AccessRequest): Promise<PersonReach> => {
    const decision = decide(req);
    const labels = decision.labels;
    let breakGlass = false;
    if (purpose === 'break-glass') {
      const grant = await o.repo.access.activeBreakGlass(principal.clientId, personId);
      if (!grant) throw forbidden(`Access denied: no break-glass grant of yours for Patient/${personId} is in force; POST Patient/${personId}/$break-glass with a reason first`);
      o.onBreakGlass?.(grant);
      breakGlass = true;
    } else if (decision.relationship && !(await o.repo.access.related(personId, { tenant: principal.tenant, organisation: principal.organisation }))) {
      throw forbidden(
        `Access denied: your organisation has no legitimate relationship with Patient/${personId} (it holds no registered record of them and provides them no active service)` +
          (engine.mayBreakGlass(principal.roles) ? `; in an emergency, break the glass (Patient/${personId}/$break-glass)` : ''),
      );
    }
    return {
      sharing(consents: readonly Resource[]) {
        const inForce = breakGlass ? [] : dissents(consents, o.clock().toISOString()).filter((d) => appliesTo(d, principal.organisation));
        return {
          shows: (resource, tenant) =>
            labels.sees(defaults, resource) &&
            (tenant === principal.tenant || !inForce.some((d) => withholds(d, principal.organisation, resource, effectiveLabels(defaults, resource)))),
          ...(inForce.length ? { withheldNotice: 'Some of this person\'s records are withheld: they have asked that they not be shared with your organisation' } : {}),
        };
      },
    };
  };

  const breakGlass = async (personId: string, reason: string, minutes?: number): Promise<{ id: string; expiresAt: string }> => {
    const limit = engine.document.breakGlass.maxMinutes;
    if (!engine.mayBreakGlass(principal.roles)) throw forbidden(`Access denied: breaking the glass is for the roles ${engine.document.breakGlass.roles.join(', ')}`);
    if (reason.trim().length < MIN_REASON) throw new FhirError('invalid', { diagnostics: `Breaking the glass needs a stated reason of at least ${MIN_REASON} characters`, expression: 'reason' });
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > limit)) {
      throw new FhirError('invalid', { diagnostics: `minutes must be a whole number from 1 to ${limit} (the policy's limit)`, expression: 'minutes' });
    }
    const grant = await o.repo.access.openBreakGlass({ id: randomUUID(), clientId: principal.clientId, tenant: principal.tenant, roles: [...principal.roles], personId, reason: reason.trim(), minutes: minutes ?? limit });
    o.onBreakGlass?.(grant);
    return { id: grant.id, expiresAt: grant.expiresAt };
  };

  return { authorise, reach, breakGlass };
}

/** A reason shorter than this says nothing a reviewer could weigh. */
const MIN_REASON = 10;

/** Permits everything: the platform's own calls between its processes, whose callers were checked where they came in. */
export const PERMIT_ALL: AccessControl = {
  authorise: () => ({ searchFilters: [], unrestricted: true, sees: () => true }),
  reach: async () => ({ sharing: () => ({ shows: () => true }) }),
  breakGlass: () => Promise.reject(new Error('the platform itself does not break the glass')),
};
