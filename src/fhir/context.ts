// RequestContext: who is asking, for which tenant, and why. Built once at the HTTP edge and passed
// down explicitly to every layer; access decisions and audit are made from it.

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
  roles: readonly string[];
  scopes: readonly string[];
}

export interface RequestContext {
  /** Tenant whose store this request reads and writes. */
  tenant: string;
  /** Absolute base URL of the FHIR endpoint the request came to, e.g. http://host/tenants/x/fhir. */
  base: string;
  correlationId: string;
  principal: Principal;
}
