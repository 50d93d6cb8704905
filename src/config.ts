// One typed configuration, read from the environment and validated at start.
import { resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  /** Public origin used in links and token audiences; defaults to http://host:port. */
  publicUrl: string;
  /** Embedded database, keys and dev credentials; undefined = in memory (tests). */
  dataDir?: string;
  databaseUrl?: string;
  natsUrl?: string;
  maxConnections: number;
  /** Longest a single SQL statement may run before it is cancelled (a search too costly to answer). */
  statementTimeoutMs: number;
  /** How long the central platform waits for one tenant in a federated read before leaving it out (ms). */
  tenantTimeoutMs: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  maxBundleEntries: number;
  tokenTtlSeconds: number;
  /** Create the demo tenants and clients at first start. */
  demo: boolean;
  logLevel: string;
}

export class ConfigError extends Error {}

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
  return {
    host,
    port,
    publicUrl,
    dataDir: resolve(env.SCIP_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    natsUrl: env.NATS_URL || undefined,
    maxConnections: integer(env, 'SCIP_DB_MAX_CONNECTIONS', 10, 1, 500),
    statementTimeoutMs: integer(env, 'SCIP_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
    tenantTimeoutMs: integer(env, 'SCIP_TENANT_TIMEOUT_MS', 2000, 10, 600_000),
    maxBodyBytes: integer(env, 'SCIP_MAX_BODY_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxBundleEntries: integer(env, 'SCIP_MAX_BUNDLE_ENTRIES', 10_000, 1, 1_000_000),
    tokenTtlSeconds: integer(env, 'SCIP_TOKEN_TTL_SECONDS', 3600, 60, 86_400),
    demo: bool(env, 'SCIP_DEMO', true),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
