// How the central platform asks a tenant's data provision layer for data: FHIR requests in, FHIR Bundles
// out. In the all-in-one topology the DPLs are in process (the same REST engine, no HTTP); the
// distributed topology puts an HTTP client behind the same interface.
import type { Bundle } from '../fhir/types.js';
import type { Principal, RequestContext } from '../fhir/context.js';
import { stringifyWithRaw } from '../rest/raw-json.js';
import type { FhirRequest } from '../rest/types.js';
import type { Repository } from '../store/index.js';

export interface TenantClient {
  /** The tenant's FHIR base URL (what `meta.source` says). */
  base(tenant: string): string;
  /** A GET on the tenant's base, e.g. ['Flag'] with its query, or ['Patient', id, '$everything']. */
  get(tenant: string, path: string[], query: [string, string][], correlationId: string): Promise<Bundle>;
}

/** The central platform acting for a consumer: reads every tenant it is asked to (policy comes with issue #6). */
const FEDERATION_PRINCIPAL: Principal = { clientId: 'platform-federation', roles: ['platform-admin'], scopes: ['system/*.rs'] };

interface RestRouter {
  handle(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<{ status: number; body?: unknown }>;
}

export class InProcessTenants implements TenantClient {
  /** `router` is a getter: the engine that serves tenants is built with the operations that use this client. */
  constructor(
    private readonly router: () => RestRouter,
    private readonly repo: Repository,
    private readonly publicUrl: string,
  ) {}

  base(tenant: string): string {
    return `${this.publicUrl}/tenants/${tenant}/fhir`;
  }

  async get(tenant: string, path: string[], query: [string, string][], correlationId: string): Promise<Bundle> {
    const ctx: RequestContext = { tenant, base: this.base(tenant), correlationId, principal: FEDERATION_PRINCIPAL };
    const res = await this.router().handle(ctx, { method: 'GET', path, query, headers: {} }, this.repo);
    // Through JSON: the engine hands back stored text untouched, and the merge edits meta.source.
    return JSON.parse(stringifyWithRaw(res.body)) as Bundle;
  }
}
