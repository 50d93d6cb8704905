// `npm run bench:federation`: federated retrieval and registration, all-in-one topology, against the
// built platform (as `npm start` runs it) on PostgreSQL and on PGlite.
// - $everything for a person held by 1, 3 and 10 tenants (21 resources each) vs one tenant's own
//   $everything of the same amount of data (211 resources in one store); target: 10 tenants ≤ 3 × p95.
// - registration: MODS registrations with distinct NHS numbers, POSTed at concurrency 8, and a caseload
//   onboarded in FHIR transactions of 100 Patients (two at a time), each counted from the first request
//   until the central platform has a person for every one; target ≥ 500/s.
// Writes bench/results/federation.json and federation.md.
//   npm run bench:federation -- [--duration 10] [--registrations 2000] [--bulk-registrations 10000] [--backend both|postgres|pglite] [--topology all-in-one,distributed,own-store]
// The distributed topologies (central + 3 DPL processes serving the bench tenants) run on PostgreSQL only:
// `distributed` on one database; `own-store` with a database per DPL and the changes over NATS JetStream.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from './load.js';
import type { LoadResult } from './load.js';
import { ChangeStream } from '../src/federation/index.js';
import { benchDatabase, startPlatformProcess } from './servers.js';
import { syntheticPatients, testNhsNumber } from './synthetic.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    registrations: { type: 'string', default: '2000' },
    'bulk-registrations': { type: 'string', default: '10000' },
    backend: { type: 'string', default: 'both' },
    topology: { type: 'string', default: 'all-in-one,distributed,own-store' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'nats-url': { type: 'string', default: 'nats://127.0.0.1:4222' },
  },
});
const DURATION = Number(args.duration);
const REGISTRATIONS = Number(args.registrations);
const BULK_REGISTRATIONS = Math.ceil(Number(args['bulk-registrations']) / 100) * 100;
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const log = (msg: string): void => void process.stderr.write(`[bench:federation] ${msg}\n`);
const RESULTS = join(import.meta.dirname, 'results');

/** Distinct valid test-range NHS numbers from `start` on. */
function nhsNumbers(start: number, count: number): string[] {
  const out = new Set<string>();
  for (let k = start; out.size < count; k++) out.add(testNhsNumber(k));
  return [...out];
}

async function json(res: Response): Promise<Record<string, unknown>> {
  if (res.status >= 300) throw new Error(`${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as Record<string, unknown>;
}

interface Row {
  scenario: string;
  result: LoadResult;
}

const TOPOLOGIES = ['all-in-one', 'distributed', 'own-store'] as const;
type Topology = (typeof TOPOLOGIES)[number];

const BENCH_TENANTS = [...Array.from({ length: 10 }, (_, i) => `bench-t${i + 1}`), 'bench-all'];

async function benchBackend(backend: 'postgres' | 'pglite', topology: Topology): Promise<{ rows: Row[]; facts: Record<string, number | string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `scip-bench-fed-${backend}-`));
  const env: Record<string, string> = { SCIP_DATA_DIR: dataDir };
  const database = await benchDatabase(backend, args['admin-url'] as string, 'scip_bench_fed');
  if (database.url) env.DATABASE_URL = database.url;
  // Distributed: the bench tenants spread over three DPL processes; the central process serves /fhir.
  const dplPorts = [8752, 8753, 8754];
  const dplOf = (tenant: string): number => dplPorts[BENCH_TENANTS.indexOf(tenant) % dplPorts.length];
  const namespace = `scip-bench-${Date.now()}`;
  const nats: Record<string, string> = topology === 'own-store' ? { NATS_URL: args['nats-url'] as string, SCIP_NATS_NAMESPACE: namespace } : {};
  const dplDatabases = topology === 'own-store' ? await Promise.all(dplPorts.map((_, i) => benchDatabase('postgres', args['admin-url'] as string, `scip_bench_dpl${i}`))) : [];
  const distributedEnv = {
    ...nats,
    SCIP_ROLE: 'central',
    SCIP_ISSUER: 'http://127.0.0.1:8751',
    SCIP_DPL_URLS: BENCH_TENANTS.map((t) => `${t}=http://127.0.0.1:${dplOf(t)}`).join(','),
  };
  let server: Awaited<ReturnType<typeof startPlatformProcess>> | undefined;
  const dpls: Awaited<ReturnType<typeof startPlatformProcess>>[] = [];
  const dplDirs: string[] = [];
  const rows: Row[] = [];
  const facts: Record<string, number | string> = {};
  try {
    const distributed = topology !== 'all-in-one';
    const central = await startPlatformProcess(8751, distributed ? { ...env, ...distributedEnv } : env);
    server = central;
    if (distributed) {
      for (const [i, port] of dplPorts.entries()) {
        const dplDir = mkdtempSync(join(tmpdir(), 'scip-bench-dpl-'));
        dplDirs.push(dplDir);
        const served = BENCH_TENANTS.filter((t) => dplOf(t) === port).join(',');
        const store: Record<string, string> = dplDatabases[i] ? { DATABASE_URL: dplDatabases[i].url as string } : {};
        dpls.push(await startPlatformProcess(port, { ...env, ...store, ...nats, SCIP_DATA_DIR: dplDir, SCIP_ROLE: 'dpl', SCIP_TENANTS: served, SCIP_ISSUER: 'http://127.0.0.1:8751' }));
      }
    }
    const tenantUrl = (tenant: string): string => (distributed ? `http://127.0.0.1:${dplOf(tenant)}` : central.url);
    const adminClient = central.credentials.clients.find((c) => c.clientId === 'platform-admin') as { clientId: string; clientSecret: string };
    const token = (await json(await fetch(`${central.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: adminClient.clientId, client_secret: adminClient.clientSecret }) }))).access_token as string;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
    const tenants = Array.from({ length: 10 }, (_, i) => `bench-t${i + 1}`);
    for (const id of tenants) await json(await fetch(`${central.url}/admin/tenants`, { method: 'POST', headers, body: JSON.stringify({ id, name: id }) }));

    // Persons held by 1, 3 and 10 tenants; each tenant holds the Patient and 20 Observations about them.
    const [one, three, ten] = nhsNumbers(500_000, 3);
    const holdings: [string, number][] = [[one, 1], [three, 3], [ten, 10]];
    const patientIds = new Map<string, string>();
    const hold = async (nhs: string, tenant: string, observations: number): Promise<void> => {
      {
        const entry = [
          { fullUrl: 'urn:uuid:0f0e1c1a-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Bench', given: [tenant] }], birthDate: '1940-02-02' }, request: { method: 'POST', url: 'Patient' } },
          ...Array.from({ length: observations }, (_, k) => ({
            resource: { resourceType: 'Observation', status: 'final', code: { text: `Daily note ${k}` }, valueString: `Had a good day at ${tenant} (${k})`, subject: { reference: 'urn:uuid:0f0e1c1a-0000-4000-8000-000000000001' } },
            request: { method: 'POST', url: 'Observation' },
          })),
        ];
        const res = await json(await fetch(`${tenantUrl(tenant)}/tenants/${tenant}/fhir`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) }));
        const location = ((res.entry as { response: { location: string } }[])[0].response.location).split('/');
        patientIds.set(`${nhs}@${tenant}`, location[location.indexOf('Patient') + 1]);
      }
    };
    for (const [nhs, count] of holdings) for (const tenant of tenants.slice(0, count)) await hold(nhs, tenant, 20);
    // The same amount of data as the 10-tenant person, in one store: the baseline.
    await json(await fetch(`${central.url}/admin/tenants`, { method: 'POST', headers, body: JSON.stringify({ id: 'bench-all', name: 'bench-all' }) }));
    const [alone] = nhsNumbers(550_000, 1);
    await hold(alone, 'bench-all', 210);
    const personOf = async (nhs: string, tenantsHolding: number): Promise<string> => {
      for (;;) {
        const found = await json(await fetch(`${central.url}/fhir/Patient?identifier=${NHS}|${nhs}`, { headers }));
        const person = (found.entry as { resource: { id: string } }[] | undefined)?.[0]?.resource.id;
        if (person) {
          const pointers = await json(await fetch(`${central.url}/fhir/DocumentReference?subject=Patient/${person}&type=https://openscip.org/fhir/CodeSystem/record-locator|tenant-record&_count=100`, { headers }));
          const held = ((pointers.entry as { resource: { extension: { extension: { url: string; valueInteger?: number }[] }[] } }[] | undefined) ?? [])
            .flatMap((e) => e.resource.extension.map((x) => x.extension.find((y) => y.url === 'count')?.valueInteger ?? 0))
            .reduce((a, b) => a + b, 0);
          if (held === 21 * tenantsHolding) return person;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const persons = await Promise.all(holdings.map(([nhs, count]) => personOf(nhs, count)));
    log(`${backend}: persons located`);

    for (const c of [1, 8]) {
      const single = `/tenants/bench-all/fhir/Patient/${patientIds.get(`${alone}@bench-all`) as string}/$everything`;
      log(`${backend}: single-tenant $everything c=${c}`);
      rows.push({ scenario: `one tenant's own $everything (211 resources) c=${c}`, result: await runLoad({ url: `${tenantUrl('bench-all')}${single}`, connections: c, durationSeconds: DURATION, headers }) });
      for (const [i, count] of [1, 3, 10].entries()) {
        log(`${backend}: federated $everything over ${count} tenant(s) c=${c}`);
        rows.push({
          scenario: `central $everything, person held by ${count} tenant(s) (${1 + 21 * count} resources) c=${c}`,
          result: await runLoad({ url: `${central.url}/fhir/Patient/${persons[i]}/$everything`, connections: c, durationSeconds: DURATION, headers }),
        });
      }
    }

    // Registration throughput, end to end: from the first request until the central platform has a
    // person for every registration. Distinct people as a population has them (names at their real
    // frequency, birth dates over a century): near-identical people would measure the review queue filling.
    const personsNow = async (): Promise<number> => ((await json(await fetch(`${central.url}/fhir/Patient?_summary=count&_total=accurate`, { headers }))).total as number) ?? 0;
    const timeRegistrations = async (label: string, count: number, submit: (workers: number) => Promise<void>, workers: number): Promise<void> => {
      const before = await personsNow();
      const started = performance.now();
      await submit(workers);
      const accepted = performance.now();
      while ((await personsNow()) < before + count) await new Promise((r) => setTimeout(r, 50));
      const done = performance.now();
      facts[`${label}Registrations`] = count;
      facts[`${label}AcceptedPerSecond`] = Math.round(count / ((accepted - started) / 1000));
      facts[`${label}CompletedPerSecond`] = Math.round(count / ((done - started) / 1000));
      log(`${backend}: ${label} registrations accepted ${facts[`${label}AcceptedPerSecond`]}/s, completed ${facts[`${label}CompletedPerSecond`]}/s`);
    };
    const inParallel = async (workers: number, jobs: number, job: (i: number) => Promise<void>): Promise<void> => {
      let next = 0;
      await Promise.all(Array.from({ length: workers }, async () => {
        while (next < jobs) await job(next++);
      }));
    };
    // One MODS registration per request, as a care provider's system registers each new client.
    const people = syntheticPatients(REGISTRATIONS, 11);
    const numbers = nhsNumbers(600_000, REGISTRATIONS);
    await timeRegistrations('mods', REGISTRATIONS, (workers) => inParallel(workers, REGISTRATIONS, async (i) => {
      const { name, birthDate, gender } = people[i];
      const body = { subjectOfCareId: `reg-${i}`, name: { given: name[0].given[0], family: name[0].family }, identification: { nhsNumber: numbers[i] }, dateOfBirth: birthDate, genderIdentity: { code: gender === 'male' ? '1' : '2' } };
      const tenant = `bench-t${(i % 10) + 1}`;
      const res = await fetch(`${tenantUrl(tenant)}/tenants/${tenant}/mods/subjects-of-care/register`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 202) throw new Error(`registration ${i}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }), 8);
    // A supplier onboarding its caseload: FHIR transactions of 100 Patients (creating a Patient registers it).
    const caseload = syntheticPatients(BULK_REGISTRATIONS, 12);
    await timeRegistrations('bulk', BULK_REGISTRATIONS, (workers) => inParallel(workers, BULK_REGISTRATIONS / 100, async (b) => {
      const tenant = `bench-t${(b % 10) + 1}`;
      const entry = caseload.slice(b * 100, b * 100 + 100).map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } }));
      await json(await fetch(`${tenantUrl(tenant)}/tenants/${tenant}/fhir`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) }));
    }), 2);
  } finally {
    await server?.stop();
    for (const dpl of dpls) await dpl.stop();
    for (const dir of [dataDir, ...dplDirs]) rmSync(dir, { recursive: true, force: true });
    await database.drop();
    for (const d of dplDatabases) await d.drop();
    if (topology === 'own-store') await ChangeStream.deleteNamespace(args['nats-url'] as string, namespace);
  }
  return { rows, facts };
}

const backends = args.backend === 'both' ? (['postgres', 'pglite'] as const) : [args.backend as 'postgres' | 'pglite'];
const topologies = (args.topology as string).split(',').map((t) => t.trim()) as Topology[];
for (const t of topologies) if (!TOPOLOGIES.includes(t)) throw new Error(`--topology takes a list of ${TOPOLOGIES.join(', ')}; got '${t}'`);
const header = `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ${DURATION} s per run; built platform (npm start); distributed = central + 3 DPL processes on one PostgreSQL database; own-store = central + 3 DPL processes, each on a PostgreSQL database of its own, changes over NATS JetStream.`;
const lines = [`# Federation benchmark ${new Date().toISOString()}`, '', header, ''];
const results: Record<string, unknown> = {};
for (const [backend, topology] of backends.flatMap((b) => topologies.filter((t) => b === 'postgres' || t === 'all-in-one').map((t) => [b, t] as const))) {
  const { rows, facts } = await benchBackend(backend, topology);
  results[`${backend} ${topology}`] = { rows, facts };
  lines.push(`## ${backend}, ${topology}`, '', '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|---:|');
  for (const { scenario, result } of rows) lines.push(`| ${scenario} | ${Math.round(result.rps)} | ${result.p50.toFixed(2)} | ${result.p95.toFixed(2)} | ${result.p99.toFixed(2)} | ${result.errors} |`);
  for (const c of [1, 8]) {
    const single = rows.find((r) => r.scenario.startsWith("one tenant's") && r.scenario.endsWith(`c=${c}`));
    const tenTenants = rows.find((r) => r.scenario.includes('by 10 tenant') && r.scenario.endsWith(`c=${c}`));
    if (single && tenTenants) lines.push('', `p95 ratio, person held by 10 tenants / the same data in one tenant, c=${c}: ${(tenTenants.result.p95 / single.result.p95).toFixed(2)}×`);
  }
  lines.push('', ...Object.entries(facts).map(([k, v]) => `- ${k}: ${v}`), '');
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'federation.json'), JSON.stringify({ date: new Date().toISOString(), header, results }, null, 2));
writeFileSync(join(RESULTS, 'federation.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
