// RequestContext: who is asking, for which tenant, and why. Built once at the HTTP edge and passed
// down explicitly to every layer; access decisions and audit are made from it.
import type { Resource } from './types.js';

/**
 * The client id under which platform processes call one another (the central platform fanning out to
 * DPLs). Reserved: no client can be registered with it, and per-client rate limits do not apply to it
 * (its callers were limited where they came in).
 */
export const PLATFORM_INTERNAL_CLIENT = 'platform-federation';

export interface Principal {
  clientId: string;
  /** Tenant the client belongs to; undefined for platform-level clients. */
  tenant?: string;
  /** ODS code of the organisation the caller acts for, when known. */
  organisation?: string;
  roles: readonly string[];
  scopes: readonly string[];
}

/** SMART v2 permissions: create, read, update, delete, search. */
export type ScopeAccess = 'c' | 'r' | 'u' | 'd' | 's';

/** One kind of access to a resource type: a REST interaction (read, search, …) or an operation (`$name`). */
export interface AccessRequest {
  interaction: string;
  type: string;
  access: ScopeAccess;
}

/** What a permitted request may see. */
export interface AccessGrant {
  /** Search parameters every search of the type must also carry (the sensitivity labels allowed). */
  readonly searchFilters: readonly [string, string][];
  /** Set when a central search must keep to people the caller's organisation has a relationship with. */
  readonly relatedTo?: { tenant?: string; organisation?: string };
  /** True when every sensitivity label is visible (no resource of the type is hidden by label). */
  readonly unrestricted: boolean;
  /** Whether the caller may see this resource (its sensitivity labels). */
  sees(resource: Resource): boolean;
}

/** How the central, shared view of a person may be shown to this caller. */
export interface PersonAccess {
  /** Whether a resource held by `tenant` may be shown (labels, and the person's consent to sharing). */
  shows(resource: Resource, tenant: string): boolean;
  /** Said to the caller when consent withheld something (a warning entry). */
  readonly withheldNotice?: string;
}

/** The access decisions for one request (access/request-access.ts). */
export interface AccessControl {
  /** Permits the request or throws FhirError('forbidden') saying why. */
  authorise(request: AccessRequest): AccessGrant;
  /**
   * A person on the central base: needs a legitimate relationship (or a break-glass grant) when the
   * policy asks for one. Throws FhirError('forbidden') when the person is out of reach.
   */
  reach(personId: string, request: AccessRequest): Promise<PersonReach>;
  /**
   * Breaks the glass on a person: a grant, for as long as the policy allows, that lets this caller reach
   * them with purpose `break-glass` without a relationship and past their consent; flagged for review.
   * Throws FhirError('forbidden') for a role the policy does not let break the glass.
   */
  breakGlass(personId: string, reason: string, minutes?: number): Promise<{ id: string; expiresAt: string }>;
}

/** A person within the caller's reach. */
export interface PersonReach {
  /** What of their shared records may be shown, given the person's Consent resources from every tenant. */
  sharing(consents: readonly Resource[]): PersonAccess;
}

export interface RequestContext {
  /** Tenant whose store this request reads and writes. */
  tenant: string;
  /** Absolute base URL of the FHIR endpoint the request came to, e.g. http://host/tenants/x/fhir. */
  base: string;
  correlationId: string;
  principal: Principal;
  access: AccessControl;
  /** The grant for the interaction being handled (set by the router once it is authorised). */
  grant?: AccessGrant;
}
