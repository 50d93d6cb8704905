// What the federation capability needs to know about the platform it runs in.
export interface FederationSettings {
  /** The tenant id of the central store (golden persons, locator pointers). */
  centralTenant: string;
  /** The platform's public origin, for the absolute URLs of tenant records. */
  publicUrl: string;
}
