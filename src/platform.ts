// The composition root: opens the database, runs migrations, loads the R4 definitions and wires the
// store, access and REST services together. One call, one object to close; no module-level state.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError } from './config.js';
import type { Config } from './config.js';
import { ChangeStream, createFederatedRouter, createFederation, HttpTenants, WriteSignal } from './federation/index.js';
import { DEFAULT_MODEL, identityOperations, readModelFile } from './identity/index.js';
import type { Federation } from './federation/index.js';
import { loadDefinitions } from './fhir/definitions.js';
import type { Definitions } from './fhir/definitions.js';
import { createTerminology } from './fhir/terminology.js';
import { UK_CORE_PROFILES } from './fhir/profiles/uk-core.js';
import { createValidator } from './fhir/validation.js';
import type { Validator } from './fhir/validation.js';
import { AuditLog, createTokenService, ensureDemoWorld, Policies, publishedSigningKeys, SigningKeyRing } from './access/index.js';
import type { DevCredentials, SigningKeys, TokenService } from './access/index.js';
import { installCatalogue, ModsRecords, terminologyResources, TRANSFORM_OPERATION } from './mods/index.js';
import type { FhirRouter } from './rest/router.js';
import type { RestServices } from './rest/types.js';
import { createParamRegistry, migrate, openDatabase, platform as platformRecords, Repository, StatisticsKeeper } from './store/index.js';
import type { Database } from './store/index.js';

/** The tenant id of the central platform's own store (golden persons, locator, audit). */
export const CENTRAL_TENANT = 'platform';

export interface Platform {
  config: Config;
  db: Database;
  defs: Definitions;
  validator: Validator;
  repo: Repository;
  router: FhirRouter;
  rest: RestServices;
  keys: SigningKeys;
  tokens: TokenService;
  /**
   * Whether this process is the authorisation server (issues tokens, keeps clients and tenants): every
   * process but a DPL with its own store, which verifies the central platform's tokens.
   */
  authorisationServer: boolean;
  /** The access policy in force (versioned in the store). */
  policies: Policies;
  /** The MODS API's records on tenant stores. */
  mods: ModsRecords;
  /** Person index, record locator and the change feed that keeps them current. */
  federation: Federation;
  /** The hash-chained audit trail every request is recorded in. */
  audit: AuditLog;
  /** Whether this process serves a tenant's FHIR and MODS bases (all of them, all-in-one; its own, as a DPL). */
  servesTenant(tenant: string): boolean;
  /** Set when this start created the demo clients. */
  devCredentials?: DevCredentials;
  close(): Promise<void>;
}

/** package.json of this installation (src/ under tsx, dist/src/ when built). */
function packageInfo(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
}

const pkg = packageInfo();

function matchModel(config: Config) {
  if (!config.identityModelFile) return DEFAULT_MODEL;
  try {
    return readModelFile(config.identityModelFile);
  } catch (err) {
    throw new ConfigError(`SCIP_IDENTITY_MODEL ${(err as Error).message}`, { cause: err });
  }
}

export async function startPlatform(config: Config, overrides: { clock?: () => Date; newId?: () => string } = {}): Promise<Platform> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: config.maxConnections, statementTimeoutMs: config.statementTimeoutMs, embeddedSharedBuffersMb: config.embeddedSharedBuffersMb });
  let stream: ChangeStream | undefined;
  try {
    await migrate(db);
    const statistics = new StatisticsKeeper(db);
    await statistics.analyze();
    const defs = loadDefinitions();
    const terminology = createTerminology();
    for (const resource of terminologyResources()) terminology.add(resource);
    const validator = createValidator(defs, terminology);
    for (const profile of UK_CORE_PROFILES) validator.addProfile(profile);
    const registry = createParamRegistry(defs);
    const { topology } = config;
    const localBase = (tenant: string): string => (tenant === CENTRAL_TENANT ? `${config.publicUrl}/fhir` : `${config.publicUrl}/tenants/${tenant}/fhir`);
    const tenantBase = (tenant: string): string => {
      const dpl = topology.role === 'central' ? topology.dplUrls.get(tenant) : undefined;
      return dpl ? `${dpl}/tenants/${tenant}/fhir` : localBase(tenant);
    };
    const servesTenant = (tenant: string): boolean =>
      tenant !== CENTRAL_TENANT && (topology.role === 'all-in-one' || (topology.role === 'dpl' && topology.tenants.includes(tenant)));
    const clock = overrides.clock ?? (() => new Date());
    const newId = overrides.newId ?? randomUUID;
    const writes = new WriteSignal();
    const repo = new Repository(db, {
      registry,
      clock,
      newId,
      baseOf: localBase,
      statistics,
      selectivity: statistics.frequencies,
      // The change feed digests what tenants write; the central store's own writes are its results.
      unpublished: CENTRAL_TENANT,
      published: () => writes.noteWrite(),
    }, db);
    const cursorSecret = Buffer.from(await platformRecords.platformSecret(db, 'cursor-hmac', () => randomBytes(32).toString('base64')), 'base64');
    const rest: RestServices = {
      defs,
      validator,
      cursorSecret,
      maxBundleEntries: config.maxBundleEntries,
      software: { name: 'OpenSCIP', version: pkg.version },
    };
    const log = pino({ level: config.logLevel, name: 'federation' });
    // Distributed processes that do not share a database move changes over JetStream (docs/federation.md).
    if (topology.role !== 'all-in-one' && config.natsUrl) stream = await ChangeStream.connect(config.natsUrl, config.natsNamespace, log);
    const authorisationServer = !(topology.role === 'dpl' && stream);
    const keys = authorisationServer
      ? await SigningKeyRing.load(db, { maxAgeSeconds: config.signingKeyDays * 86_400, graceSeconds: config.tokenTtlSeconds + 300 })
      : publishedSigningKeys(new URL(`${config.issuer}/oauth2/jwks`));
    const tokens = createTokenService(keys, { issuer: config.issuer, ttlSeconds: config.tokenTtlSeconds, ...(config.externalIdp ? { externalIdp: config.externalIdp } : {}) });
    await platformRecords.upsertTenant(db, { id: CENTRAL_TENANT, name: 'Central platform', kind: 'platform' });
    // A DPL with its own store learns its tenants from its configuration; the others' are created centrally.
    if (!authorisationServer && topology.role === 'dpl') for (const id of topology.tenants) await platformRecords.ensureTenant(db, { id, name: id, kind: 'care-provider' });
    const devCredentials = config.demo && topology.role !== 'dpl' ? await ensureDemoWorld(db, `${config.publicUrl}/oauth2/token`, config.dataDir) : undefined;
    await installCatalogue(repo, (await platformRecords.listTenants(db)).map((t) => t.id).filter((t) => t === CENTRAL_TENANT ? topology.role !== 'dpl' : servesTenant(t)));
    const policies = await Policies.load(repo, defs.resourceTypes);
    const mods = new ModsRecords({ defs, validator, newId, clock });
    const settings = { centralTenant: CENTRAL_TENANT, tenantBase, tenantTimeoutMs: config.tenantTimeoutMs };
    const federation = await createFederation(repo, defs, settings, log, matchModel(config), topology.role === 'dpl' ? { role: 'dpl', tenants: topology.tenants, stream } : { role: topology.role, stream }, writes);
    const remote = topology.role === 'central' ? new HttpTenants(topology.dplUrls, tokens, config.issuer, config.tenantTimeoutMs) : undefined;
    const { router } = createFederatedRouter(rest, [TRANSFORM_OPERATION, ...identityOperations(federation.index, CENTRAL_TENANT)], repo, federation.locator, settings, remote);
    if (config.changeFeed) federation.feed.start();
    const auditLog = pino({ level: config.logLevel, name: 'audit' });
    const audit = new AuditLog(db, config.auditMode, (err) => auditLog.error({ err }, 'the audit trail cannot be written: requests fail closed until it can'));
    const changeStream = stream;
    const close = async (): Promise<void> => {
      await audit.drain();
      await federation.feed.stop();
      await changeStream?.close();
      await statistics.close();
      await db.close();
    };
    return { config, db, defs, validator, repo, router, rest, keys, tokens, authorisationServer, policies, mods, federation, audit, servesTenant, devCredentials, close };
  } catch (err) {
    await stream?.close();
    await db.close();
    throw err;
  }
}
