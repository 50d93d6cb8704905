// Starts a whole platform for a test suite on one database, with the demo clients, and offers
// small helpers to call it through Fastify's inject() (no sockets) with a bearer token.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { startPlatform } from '../../src/platform.js';
import type { Platform } from '../../src/platform.js';
import type { TestDatabase } from './databases.js';
import { registerClient } from '../../src/access/index.js';
import type { NewClient } from '../../src/access/index.js';

export const PUBLIC_URL = 'http://scip.test';

export interface CallOptions {
  body?: unknown;
  /** Raw body text (sent as is). */
  payload?: string;
  headers?: Record<string, string>;
  /** Client id whose token to send; null sends no Authorization header. */
  as?: string | null;
}

export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  // Test responses are arbitrary FHIR JSON; tests assert on its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface TestPlatform {
  platform: Platform;
  app: FastifyInstance;
  /** Base URL of a tenant's FHIR endpoint (path only, for inject). */
  tenantBase(tenant: string): string;
  token(clientId: string): Promise<string>;
  /** Registers a client; token() then knows its secret. */
  addClient(client: NewClient): Promise<void>;
  call(method: string, url: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT = 'sunrise-care-system';

export async function startTestPlatform(database: TestDatabase, overrides: Partial<Config> = {}): Promise<TestPlatform> {
  const { databaseUrl, drop } = await database.provision();
  const config: Config = { ...loadConfig({}), dataDir: undefined, databaseUrl, publicUrl: PUBLIC_URL, demo: true, logLevel: 'silent', ...overrides };
  const platform = await startPlatform(config);
  const app = await buildApp(platform, { logger: false });
  const secrets = new Map((platform.devCredentials?.clients ?? []).map((c) => [c.clientId, c.clientSecret]));
  const tokens = new Map<string, string>();

  const call = async (method: string, url: string, options: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...options.headers };
    const as = options.as === undefined ? DEFAULT_CLIENT : options.as;
    if (as !== null && !headers.authorization) headers.authorization = `Bearer ${await token(as)}`;
    let payload = options.payload;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/fhir+json';
    }
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    let json: unknown;
    try {
      json = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text: res.body, json };
  };

  async function token(clientId: string): Promise<string> {
    const cached = tokens.get(clientId);
    if (cached) return cached;
    const secret = secrets.get(clientId);
    if (!secret) throw new Error(`No demo client '${clientId}'`);
    const res = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }).toString(),
    });
    if (res.statusCode !== 200) throw new Error(`token for ${clientId}: ${res.statusCode} ${res.body}`);
    const t = (JSON.parse(res.body) as { access_token: string }).access_token;
    tokens.set(clientId, t);
    return t;
  }

  return {
    platform,
    app,
    tenantBase: (tenant) => `/tenants/${tenant}/fhir`,
    token,
    call,
    async addClient(client) {
      const { clientSecret } = await registerClient(platform.db, client);
      secrets.set(client.clientId, clientSecret as string);
    },
    async close() {
      await app.close();
      await platform.close();
      await drop();
    },
  };
}

/**
 * The platform of a test suite: started before its tests, closed after them. Called at the top of a
 * `describe`; the returned handle forwards to the running platform (its own `beforeAll` hooks, which
 * run after this one, may use it).
 */
export function suitePlatform(database: TestDatabase, overrides: Partial<Config> = {}): TestPlatform {
  let started: TestPlatform | undefined;
  beforeAll(async () => {
    started = await startTestPlatform(database, overrides);
  });
  afterAll(async () => started?.close());
  const running = (): TestPlatform => {
    if (!started) throw new Error('the suite platform starts in beforeAll');
    return started;
  };
  return {
    get platform() {
      return running().platform;
    },
    get app() {
      return running().app;
    },
    tenantBase: (tenant) => running().tenantBase(tenant),
    token: (clientId) => running().token(clientId),
    addClient: (client) => running().addClient(client),
    call: (method, url, options) => running().call(method, url, options),
    close: () => running().close(),
  };
}
