// How the central platform asks a tenant's data provision layer for data: FHIR requests in, FHIR Bundles
// out. In the all-in-one topology the DPLs are in process (the same REST engine, no HTTP); the
// distributed topology puts an HTTP client behind the same interface.
import type { Bundle } from '../fhir/types.js';
import { PLATFORM_INTERNAL_CLIENT } from '../fhir/context.js';
import type { Principal, RequestContext } from '../fhir/context.js';
import { PERMIT_ALL } from '../access/index.js';
import { stringifyWithRaw } from '../rest/raw-json.js';
import type { FhirRequest } from '../rest/types.js';
import type { Repository } from '../store/index.js';

export interface TenantClient {
  /** The tenant's FHIR base URL (what `meta.source` says). */
  base(tenant: string): string;
  /** A GET on the tenant's base, e.g. ['Flag'] with its query, or ['Patient', id, '$everything']. */
  get(tenant: string, path: string[], query: [string, string][], correlationId: string): Promise<Bundle>;
}

/** The central platform acting for a consumer: reads every tenant it is asked to, and applies the consumer's access itself. */
const FEDERATION_PRINCIPAL: Principal = { clientId: PLATFORM_INTERNAL_CLIENT, roles: ['platform-admin'], scopes: ['system/*.rs'] };

interface RestRouter {
  handle(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<{ status: number; body?: unknown }>;
}

export class InProcessTenants implements TenantClient {
  /** `router` is a getter: the engine that serves tenants is built with the operations that use this client. */
  constructor(
    private readonly router: () => RestRouter,
    private readonly repo: Repository,
    readonly base: (tenant: string) => string,
  ) {}

  async get(tenant: string, path: string[], query: [string, string][], correlationId: string): Promise<Bundle> {
    // The central platform has decided what its caller may see, and filters the answer for them.
    const ctx: RequestContext = { tenant, base: this.base(tenant), correlationId, principal: FEDERATION_PRINCIPAL, access: PERMIT_ALL };
    const res = await this.router().handle(ctx, { method: 'GET', path, query, headers: {} }, this.repo);
    // Through JSON: the engine hands back stored text untouched, and the merge edits meta.source.
    return JSON.parse(stringifyWithRaw(res.body)) as Bundle;
  }
}

/** Signs the platform's own tokens (the access module's token service, seen through what this needs). */
export interface TokenIssuer {
  issue(principal: Principal, audience: string): Promise<{ accessToken: string; expiresIn: number }>;
}

/**
 * The distributed topology: each tenant's DPL is another process, reached over HTTP at its origin,
 * with a token the central platform signs for itself (valid on every process of the platform).
 */
export class HttpTenants implements TenantClient {
  private token: { value: string; renewAt: number } | undefined;

  constructor(
    private readonly dplUrls: ReadonlyMap<string, string>,
    private readonly tokens: TokenIssuer,
    private readonly audience: string,
    private readonly timeoutMs: number,
  ) {}

  base(tenant: string): string {
    const origin = this.dplUrls.get(tenant);
    if (!origin) throw new Error(`no DPL is configured for tenant ${tenant} (SCIP_DPL_URLS)`);
    return `${origin}/tenants/${tenant}/fhir`;
  }

  async get(tenant: string, path: string[], query: [string, string][], correlationId: string): Promise<Bundle> {
    const url = `${this.base(tenant)}/${path.map(encodeURIComponent).join('/')}${query.length ? `?${new URLSearchParams(query).toString()}` : ''}`;
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${await this.bearer()}`, accept: 'application/fhir+json', 'x-correlation-id': correlationId },
      // Past the caller's limit the answer is not waited for, so the connection is not kept either.
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json()) as Bundle & { issue?: { diagnostics?: string }[] };
    if (!res.ok) throw new Error(`${res.status} ${body.issue?.map((i) => i.diagnostics).join('; ') ?? ''}`.trim());
    return body;
  }

  private async bearer(): Promise<string> {
    if (this.token && this.token.renewAt > Date.now()) return this.token.value;
    const { accessToken, expiresIn } = await this.tokens.issue(FEDERATION_PRINCIPAL, this.audience);
    this.token = { value: accessToken, renewAt: Date.now() + (expiresIn * 1000) / 2 };
    return accessToken;
  }
}
