// RequestContext: who is asking, for which tenant, and why. Built once at the HTTP edge and passed
// down explicitly to every layer; access decisions and audit are made from it.

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
