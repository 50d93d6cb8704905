// The distributed topology as separate processes (`SCIP_ROLE`): a central platform and three DPLs
// talking FHIR over HTTP, in both of its layouts: every process on one PostgreSQL database; and each DPL
// on a store of its own (one embedded, two on databases of their own) with the changes travelling over
// NATS JetStream. The onboarding flow runs across them; then one DPL is killed and the central answer
// still comes, with a warning naming the missing tenant.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { pglite, provisionProcessEnvironment, testDatabases } from './support/databases.js';
import { eventually } from './support/eventually.js';
import type { ProcessEnvironment, TestDatabase } from './support/databases.js';
import { NATS_URL, natsNamespace, natsReachable } from './support/nats.js';
import { freePort, startPlatformFromSource, stopProcess } from './support/net.js';

const ROOT = join(import.meta.dirname, '..');
const TENANTS = ['sunrise-care', 'meadow-homecare', 'city-hospital'] as const;
const json = { 'content-type': 'application/json' };
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/mods', `${name}.json`), 'utf8')) as Record<string, unknown>;

const start = (env: Record<string, string>): Promise<ChildProcess> => startPlatformFromSource(env, 90_000);
const stop = stopProcess;


const server = (await testDatabases()).find((d) => d.name === 'postgres');

/** Where each process keeps its data: the environment of the central process and of each DPL. */
interface Layout {
  name: string;
  central: ProcessEnvironment;
  dpl(tenant: string): Record<string, string>;
  /** Whether the DPLs' rows are in the central platform's database. */
  shared: boolean;
  cleanup(): Promise<void>;
}

async function sharedDatabase(database: TestDatabase): Promise<Layout> {
  const central = await provisionProcessEnvironment(database, 'scip-distributed-');
  return { name: 'one shared database', central, dpl: () => central.env, shared: true, cleanup: () => central.cleanup() };
}

async function ownStores(database: TestDatabase): Promise<Layout> {
  const { namespace, cleanup } = natsNamespace('scip-test');
  const nats = { NATS_URL, SCIP_NATS_NAMESPACE: namespace };
  const central = await provisionProcessEnvironment(database, 'scip-distributed-');
  // sunrise-care on the embedded store in its own directory; the others on databases of their own.
  const stores = new Map<string, ProcessEnvironment>(await Promise.all(TENANTS.map(async (t) => [t, await provisionProcessEnvironment(t === 'sunrise-care' ? pglite : database, `scip-dpl-${t}-`)] as const)));
  return {
    name: 'a store per DPL, changes over NATS JetStream',
    central: { ...central, env: { ...central.env, ...nats } },
    dpl: (t) => ({ ...(stores.get(t) as ProcessEnvironment).env, ...nats }),
    shared: false,
    async cleanup() {
      await Promise.all([central.cleanup(), ...[...stores.values()].map((s) => s.cleanup()), cleanup()]);
    },
  };
}

const layouts = server ? [{ name: 'one shared database', make: () => sharedDatabase(server) }, ...((await natsReachable()) ? [{ name: 'a store per DPL, over NATS JetStream', make: () => ownStores(server) }] : [])] : [];

describe.skipIf(layouts.length === 0).each(layouts)('distributed topology (central + 3 DPLs), $name', ({ make }) => {
  let layout: Layout;
  let central: ChildProcess;
  const dpls = new Map<string, ChildProcess>();
  const urls = new Map<string, string>();
  let centralUrl: string;
  const tokens = new Map<string, string>();

  const call = async (url: string, init: { method?: string; body?: unknown; as: string; headers?: Record<string, string> }) => {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${tokens.get(init.as) as string}`, 'content-type': 'application/fhir+json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    layout = await make();
    const ports = await Promise.all([freePort(), ...TENANTS.map(() => freePort())]);
    centralUrl = `http://127.0.0.1:${ports[0]}`;
    TENANTS.forEach((t, i) => urls.set(t, `http://127.0.0.1:${ports[i + 1]}`));
    central = await start({ ...layout.central.env, SCIP_ISSUER: centralUrl, PORT: String(ports[0]), SCIP_ROLE: 'central', SCIP_DPL_URLS: TENANTS.map((t) => `${t}=${urls.get(t) as string}`).join(','), SCIP_TENANT_TIMEOUT_MS: '1500' });
    await Promise.all(TENANTS.map(async (t, i) => dpls.set(t, await start({ ...layout.dpl(t), SCIP_ISSUER: centralUrl, PORT: String(ports[i + 1]), SCIP_ROLE: 'dpl', SCIP_TENANTS: t }))));
    const creds = JSON.parse(readFileSync(join(layout.central.dataDir, 'dev-credentials.json'), 'utf8')) as { clients: { clientId: string; clientSecret: string }[] };
    for (const c of creds.clients) {
      const res = await fetch(`${centralUrl}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }) });
      tokens.set(c.clientId, ((await res.json()) as { access_token: string }).access_token);
    }
  }, 180_000);

  afterAll(async () => {
    // The central platform first: it holds keep-alive connections that a DPL's graceful close would wait for.
    if (central) await stop(central);
    await Promise.all([...dpls.values()].map((d) => stop(d)));
    await layout?.cleanup();
  });

  it('runs the onboarding flow across processes, and survives a DPL being killed', async () => {
    // Each DPL serves its own tenant only; the central platform serves no tenant base.
    expect((await call(`${urls.get('sunrise-care') as string}/tenants/meadow-homecare/fhir/Patient`, { as: 'platform-admin' })).status).toBe(404);
    expect((await call(`${centralUrl}/tenants/sunrise-care/fhir/Patient`, { as: 'platform-admin' })).status).toBe(404);

    const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
    const register = async (tenant: string, client: string, id: string): Promise<string> => {
      const accepted = await call(`${urls.get(tenant) as string}/tenants/${tenant}/mods/subjects-of-care/register`, { method: 'POST', body: { ...margaret, subjectOfCareId: id }, as: client, headers: json });
      expect(accepted.status, accepted.text).toBe(202);
      return eventually(async () => {
        const status = await call(accepted.headers.get('location') as string, { as: client });
        expect(status.json.status).toBe('registered');
        return status.json.personId as string;
      });
    };
    const person = await register('sunrise-care', 'sunrise-care-system', 'sun-1');
    expect(await register('meadow-homecare', 'meadow-homecare-system', 'mea-1')).toBe(person);

    const sunrise = urls.get('sunrise-care') as string;
    const meadow = urls.get('meadow-homecare') as string;
    expect((await call(`${sunrise}/tenants/sunrise-care/mods/about-me`, { method: 'POST', body: { ...fixture('about-me.margaret-okafor'), subjectOfCare: { ref: 'sun-1' } }, as: 'sunrise-care-system', headers: json })).status).toBe(201);
    expect((await call(`${meadow}/tenants/meadow-homecare/mods/alert`, { method: 'POST', body: { ...fixture('alert.dangerous-dog'), subjectOfCare: { ref: 'mea-1' }, informed: undefined }, as: 'meadow-homecare-system', headers: json })).status).toBe(201);
    expect((await call(`${meadow}/tenants/meadow-homecare/mods/allergy`, { method: 'POST', body: { ...fixture('allergy.penicillin'), subjectOfCare: { ref: 'mea-1' } }, as: 'meadow-homecare-system', headers: json })).status).toBe(201);

    // The hospital admits her (its registration is its legitimate relationship), then reads the shared view.
    expect(await register('city-hospital', 'city-hospital-system', 'hosp-1')).toBe(person);
    const everything = await eventually(async () => {
      const res = await call(`${centralUrl}/fhir/Patient/${person}/$everything`, { as: 'city-hospital-system' });
      expect(res.status).toBe(200);
      expect(res.json.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(expect.arrayContaining(['QuestionnaireResponse', 'Flag', 'AllergyIntolerance']));
      return res.json;
    });
    const sourceOf = (type: string): string[] => everything.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === type).map((e: { resource: { meta: { source: string } } }) => e.resource.meta.source);
    expect(sourceOf('QuestionnaireResponse')).toEqual([`${sunrise}/tenants/sunrise-care/fhir`]);
    expect(sourceOf('Flag')).toEqual([`${meadow}/tenants/meadow-homecare/fhir`]);
    const asMods = await call(`${centralUrl}/fhir/$transform?target=mods`, { method: 'POST', body: everything, as: 'city-hospital-system' });
    expect(asMods.json.records.map((r: { resourceType: string }) => r.resourceType)).toEqual(expect.arrayContaining(['MODS-AboutMe', 'MODS-Alert', 'MODS-Allergy']));

    // Where the tenants' records are: in the central database only when the DPLs share it.
    const centralDb = postgres(layout.central.databaseUrl as string, { max: 1, onnotice: () => undefined });
    try {
      const [{ n }] = await centralDb<{ n: string }[]>`SELECT count(*) AS n FROM resource WHERE tenant <> 'platform' AND NOT deleted`;
      expect(Number(n) > 0).toBe(layout.shared);
    } finally {
      await centralDb.end();
    }
    // A DPL with its own store verifies the central platform's tokens and issues none itself.
    expect((await fetch(`${sunrise}/oauth2/token`, { method: 'POST' })).status === 404).toBe(!layout.shared);

    // A DPL dies mid-test: the central answer still comes, without its data, naming it.
    await stop(dpls.get('meadow-homecare') as ChildProcess, 'SIGKILL');
    const partial = await call(`${centralUrl}/fhir/Patient/${person}/$everything`, { as: 'city-hospital-system' });
    expect(partial.status).toBe(200);
    const warnings = partial.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    expect(warnings.map((w: { resource: { issue: { diagnostics: string }[] } }) => w.resource.issue[0].diagnostics)).toEqual([expect.stringMatching(/^Tenant meadow-homecare failed/)]);
    expect(partial.json.entry.some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'QuestionnaireResponse')).toBe(true);
    expect(partial.json.entry.some((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Flag')).toBe(false);

    // A DPL that hangs (stopped, not dead) is waited for only as long as SCIP_TENANT_TIMEOUT_MS (1.5 s).
    const hanging = dpls.get('sunrise-care') as ChildProcess;
    hanging.kill('SIGSTOP');
    try {
      const started = Date.now();
      const late = await call(`${centralUrl}/fhir/Patient/${person}/$everything`, { as: 'city-hospital-system' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(late.status).toBe(200);
      const diagnostics = late.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'outcome').map((w: { resource: { issue: { diagnostics: string }[] } }) => w.resource.issue[0].diagnostics);
      expect(diagnostics).toEqual(expect.arrayContaining([expect.stringMatching(/^Tenant sunrise-care did not answer within 1500 ms/), expect.stringMatching(/^Tenant meadow-homecare failed/)]));
      // Left: the platform person, and what the hospital itself holds (its registration of her).
      const sources = late.json.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType !== 'OperationOutcome').map((e: { resource: { meta?: { source?: string } } }) => e.resource.meta?.source);
      expect(new Set(sources)).toEqual(new Set([`${centralUrl}/fhir`, `${urls.get('city-hospital') as string}/tenants/city-hospital/fhir`]));
    } finally {
      hanging.kill('SIGCONT');
    }
  }, 120_000);
});
