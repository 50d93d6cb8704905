// One typed configuration, read from the environment and validated at start.
import { resolve } from 'node:path';
import type { ExternalIdp } from './access/index.js';
import { DEFAULT_EMBEDDED_SHARED_BUFFERS_MB } from './store/index.js';

export interface Config {
  host: string;
  port: number;
  /** Public origin used in links and token audiences; defaults to http://host:port. */
  publicUrl: string;
  /** Embedded database, keys and dev credentials; undefined = in memory (tests). */
  dataDir?: string;
  databaseUrl?: string;
  /** NATS with JetStream: carries the change feed between distributed processes that do not share a database. */
  natsUrl?: string;
  /** Prefix of the JetStream streams, subjects and consumers of this platform (one NATS may serve several). */
  natsNamespace: string;
  maxConnections: number;
  /** Shared buffers of the embedded database (PGlite), in MB: most of its memory floor. */
  embeddedSharedBuffersMb: number;
  /** Longest a single SQL statement may run before it is cancelled (a search too costly to answer). */
  statementTimeoutMs: number;
  /** How long the central platform waits for one tenant in a federated read before leaving it out (ms). */
  tenantTimeoutMs: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  maxBundleEntries: number;
  tokenTtlSeconds: number;
  /** Days a token-signing key signs before it is rotated. */
  signingKeyDays: number;
  /** Create the demo tenants and clients at first start. */
  demo: boolean;
  logLevel: string;
  /**
   * Whether this process runs the change feed (registration, locator). Off for extra HTTP nodes on a
   * database another node already digests: one feed keeps a resource's versions in order.
   */
  changeFeed: boolean;
  /** Topology role of this process (docs/federation.md). */
  topology: Topology;
  /** The `iss` of access tokens: the same for every process of one platform. */
  issuer: string;
  /** A match model written by `scip identity estimate`; the built-in defaults when unset. */
  identityModelFile?: string;
  /**
   * Turns the audit trail off. Only for measuring what auditing costs (bench/access.ts): a platform
   * serving people's records must never run with it; the start logs a warning when it is set.
   */
  unsafeDisableAudit: boolean;
  /** `write-behind` (default) or `synchronous`: see AuditMode in src/access/audit.ts. */
  auditMode: 'write-behind' | 'synchronous';
  /** Requests a second per client (bursts of twice that); 0 = no limit. */
  rateLimitPerSecond: number;
  /** Token requests a second per network address; 0 = no limit. */
  tokenRateLimitPerSecond: number;
  /** An external identity provider whose access tokens are accepted besides our own. */
  externalIdp?: ExternalIdp;
}

function externalIdp(env: NodeJS.ProcessEnv): ExternalIdp | undefined {
  const issuer = env.SCIP_IDP_ISSUER;
  if (!issuer) return undefined;
  const jwksUrl = env.SCIP_IDP_JWKS_URL ?? '';
  try {
    new URL(jwksUrl);
  } catch {
    throw new ConfigError('SCIP_IDP_ISSUER needs SCIP_IDP_JWKS_URL, the absolute URL of its JWK Set');
  }
  const roles = new Map<string, string>();
  for (const pair of (env.SCIP_IDP_ROLES ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [theirs, ours] = pair.split('=');
    if (!theirs || !ours) throw new ConfigError(`SCIP_IDP_ROLES entries are their-role=our-role, got '${pair}'`);
    roles.set(theirs, ours);
  }
  return { issuer, jwksUrl, ...(env.SCIP_IDP_AUDIENCE ? { audience: env.SCIP_IDP_AUDIENCE } : {}), roleClaim: env.SCIP_IDP_ROLE_CLAIM || 'roles', tenantClaim: env.SCIP_IDP_TENANT_CLAIM || 'tenant', organisationClaim: env.SCIP_IDP_ORGANISATION_CLAIM || 'organisation', roles };
}

/**
 * `all-in-one`: central platform and every tenant's DPL in this process. Distributed: `central` keeps
 * the person index and locator and reaches the DPLs over HTTP; `dpl` serves the FHIR and MODS bases of
 * the tenants it is given, either on the central platform's database (DATABASE_URL, shared) or on its
 * own store with its changes travelling over NATS JetStream (NATS_URL; docs/federation.md).
 */
export type Topology =
  | { role: 'all-in-one' }
  | { role: 'central'; dplUrls: ReadonlyMap<string, string> }
  | { role: 'dpl'; tenants: readonly string[] };

function topology(env: NodeJS.ProcessEnv, databaseUrl: string | undefined): Topology {
  const role = env.SCIP_ROLE || 'all-in-one';
  if (role === 'all-in-one') return { role };
  if (role !== 'central' && role !== 'dpl') throw new ConfigError(`SCIP_ROLE must be all-in-one, central or dpl, got '${role}'`);
  if (!databaseUrl && !env.NATS_URL) {
    throw new ConfigError(`SCIP_ROLE=${role} needs DATABASE_URL (one PostgreSQL database shared by the processes) or NATS_URL (changes travel over NATS JetStream)`);
  }
  if (role === 'dpl') {
    const tenants = (env.SCIP_TENANTS ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    if (!tenants.length) throw new ConfigError('SCIP_ROLE=dpl needs SCIP_TENANTS, the tenants this process serves (comma-separated)');
    return { role, tenants };
  }
  const dplUrls = new Map<string, string>();
  for (const pair of (env.SCIP_DPL_URLS ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [tenant, url] = pair.split('=');
    try {
      new URL(url);
    } catch {
      throw new ConfigError(`SCIP_DPL_URLS entries are tenant=http://host:port, got '${pair}'`);
    }
    dplUrls.set(tenant, url.replace(/\/$/, ''));
  }
  if (!dplUrls.size) throw new ConfigError('SCIP_ROLE=central needs SCIP_DPL_URLS (tenant=http://host:port,…)');
  return { role, dplUrls };
}

export class ConfigError extends Error {}

/** Prefixes stream names (no dots) and subjects (one token), so a narrow alphabet. */
function natsNamespace(raw: string | undefined): string {
  const namespace = raw || 'scip';
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(namespace)) throw new ConfigError(`SCIP_NATS_NAMESPACE must be 1-40 of A-Z a-z 0-9 _ -, got '${namespace}'`);
  return namespace;
}

function auditMode(raw: string | undefined): Config['auditMode'] {
  if (raw === undefined || raw === '' || raw === 'write-behind') return 'write-behind';
  if (raw === 'synchronous') return raw;
  throw new ConfigError(`SCIP_AUDIT_MODE must be write-behind or synchronous, got '${raw}'`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const publicUrl = (env.SCIP_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`SCIP_PUBLIC_URL must be an absolute URL, got '${publicUrl}'`);
  }
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) throw new ConfigError('DATABASE_URL must be a postgres:// URL');
  const idp = externalIdp(env);
  return {
    host,
    port,
    publicUrl,
    dataDir: resolve(env.SCIP_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    natsNamespace: natsNamespace(env.SCIP_NATS_NAMESPACE),
    maxConnections: integer(env, 'SCIP_DB_MAX_CONNECTIONS', 10, 1, 500),
    embeddedSharedBuffersMb: integer(env, 'SCIP_PGLITE_SHARED_BUFFERS_MB', DEFAULT_EMBEDDED_SHARED_BUFFERS_MB, 1, 65_536),
    statementTimeoutMs: integer(env, 'SCIP_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    tenantTimeoutMs: integer(env, 'SCIP_TENANT_TIMEOUT_MS', 2000, 10, 600_000),
    maxBodyBytes: integer(env, 'SCIP_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxBundleEntries: integer(env, 'SCIP_MAX_BUNDLE_ENTRIES', 10_000, 1, 1_000_000),
    tokenTtlSeconds: integer(env, 'SCIP_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    signingKeyDays: integer(env, 'SCIP_SIGNING_KEY_DAYS', 30, 1, 365),
    demo: bool(env, 'SCIP_DEMO', true),
    logLevel: env.LOG_LEVEL || 'info',
    changeFeed: bool(env, 'SCIP_CHANGE_FEED', true),
    topology: topology(env, env.DATABASE_URL || undefined),
    issuer: (env.SCIP_ISSUER || publicUrl).replace(/\/$/, ''),
    ...(env.SCIP_IDENTITY_MODEL ? { identityModelFile: env.SCIP_IDENTITY_MODEL } : {}),
    unsafeDisableAudit: bool(env, 'SCIP_UNSAFE_DISABLE_AUDIT', false),
    auditMode: auditMode(env.SCIP_AUDIT_MODE),
    rateLimitPerSecond: integer(env, 'SCIP_RATE_LIMIT', 1000, 0, 1_000_000),
    tokenRateLimitPerSecond: integer(env, 'SCIP_TOKEN_RATE_LIMIT', 20, 0, 1_000_000),
    ...(idp ? { externalIdp: idp } : {}),
  };
}
