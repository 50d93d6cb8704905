// What the federation capability needs to know about the platform it runs in.
export interface FederationSettings {
  /** The tenant id of the central store (golden persons, locator pointers). */
  centralTenant: string;
  /** The FHIR base at which a tenant's records are reached (this process, or the tenant's DPL). */
  tenantBase(tenant: string): string;
}
