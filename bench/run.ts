// `npm run bench`: the FHIR core benchmarks over HTTP (autocannon) on PostgreSQL and on the
// embedded database, each scenario beside its limit. Writes bench/results/<backend>.json and .md.
//   npm run bench -- [--backend postgres|pglite|both] [--duration 10] [--patients 100000] [--concurrency 1,8,32]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { runLoad } from './load.js';
import type { LoadResult } from './load.js';
import { benchDatabase, rssMegabytes, startBareServer, startPlatformProcess } from './servers.js';
import { syntheticPatients } from './synthetic.js';
import type { SyntheticPatient } from './synthetic.js';
import { pgliteInsertLimit, postgresInsertLimit } from './write-limit.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    patients: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '1,8,32' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const DURATION = Number(args.duration);
const PATIENTS = Number(args.patients);
const LEVELS = (args.concurrency as string).split(',').map(Number);
const TENANT_BASE = '/tenants/sunrise-care/fhir';
const RESULTS = join(import.meta.dirname, 'results');

const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

interface Row {
  scenario: string;
  ours: LoadResult;
  limit?: LoadResult;
}

async function token(base: string, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function loadPatients(base: string, headers: Record<string, string>, patients: SyntheticPatient[], label: string): Promise<number> {
  const batchSize = 500;
  const t0 = performance.now();
  for (let i = 0; i < patients.length; i += batchSize) {
    const entry = patients.slice(i, i + batchSize).map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } }));
    const res = await fetch(`${base}${TENANT_BASE}`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    if (res.status !== 200) throw new Error(`load failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
    const done = Math.min(i + batchSize, patients.length);
    if (done % 10_000 === 0 || done === patients.length) log(`${label}: loaded ${done}/${patients.length} patients`);
  }
  return patients.length / ((performance.now() - t0) / 1000);
}

async function benchBackend(backend: 'postgres' | 'pglite'): Promise<{ rows: Row[]; facts: Record<string, number | string> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `scip-bench-${backend}-`));
  // The change feed registers every loaded Patient with the person index (identity matching, ~100/s on
  // this machine: bench:federation measures it). Left running, it would still be digesting the bulk load
  // while reads and searches are measured, competing for the two cores; here it runs in no process, as
  // on an HTTP node beside the one that digests (SCIP_CHANGE_FEED=false).
  const env: Record<string, string> = { SCIP_DATA_DIR: dataDir, SCIP_MAX_BUNDLE_ENTRIES: '1000', SCIP_CHANGE_FEED: 'false' };
  const database = await benchDatabase(backend, args['admin-url'] as string, 'scip_bench');
  const databaseUrl = database.url;
  if (databaseUrl) {
    env.DATABASE_URL = databaseUrl;
    env.SCIP_DB_MAX_CONNECTIONS = '32';
  }
  const rows: Row[] = [];
  const facts: Record<string, number | string> = {};
  let server: Awaited<ReturnType<typeof startPlatformProcess>> | undefined;
  try {
    server = await startPlatformProcess(8731, env);
    const url = server.url;
    // Idle means after start-up garbage has been collected: V8's memory reducer needs a few idle seconds.
    await new Promise((r) => setTimeout(r, 10_000));
    facts.idleRssMb = rssMegabytes(server.pid);
    log(`${backend}: idle RSS ${facts.idleRssMb} MB`);
    const admin = server.credentials.clients.find((c) => c.tenant === 'sunrise-care') as { clientId: string; clientSecret: string };
    const auth = { authorization: `Bearer ${await token(server.url, admin.clientId, admin.clientSecret)}`, 'content-type': 'application/fhir+json' };

    const [sample] = syntheticPatients(1, 999);
    const createBody = JSON.stringify(sample);
    for (const c of LEVELS) {
      log(`${backend}: create Patient c=${c}`);
      const ours = await runLoad({ url: `${server.url}${TENANT_BASE}/Patient`, connections: c, durationSeconds: DURATION, method: 'POST', headers: auth, body: createBody });
      const limit = backend === 'postgres'
        ? await postgresInsertLimit(databaseUrl as string, c, DURATION, createBody)
        : await pgliteInsertLimit(join(dataDir, 'limit-db'), c, DURATION, createBody);
      rows.push({ scenario: `create Patient c=${c}`, ours, limit });
    }

    const idsRes = await fetch(`${server.url}${TENANT_BASE}/Patient?_count=1000&_elements=id`, { headers: auth });
    const ids = ((await idsRes.json()) as { entry: { resource: { id: string } }[] }).entry.map((e) => e.resource.id);
    const oneRes = await fetch(`${server.url}${TENANT_BASE}/Patient/${ids[0]}`, { headers: auth });
    const bare = await startBareServer(8732, await oneRes.text());
    try {
      for (const c of LEVELS) {
        log(`${backend}: read Patient c=${c}`);
        let i = 0;
        const ours = await runLoad({ url: server.url, connections: c, durationSeconds: DURATION, headers: auth, path: () => `${TENANT_BASE}/Patient/${ids[i++ % ids.length]}` });
        const limit = await runLoad({ url: bare.url, connections: c, durationSeconds: DURATION, path: () => `/bare/Patient/${ids[i++ % ids.length]}` });
        rows.push({ scenario: `read Patient c=${c}`, ours, limit });
      }
    } finally {
      await bare.stop();
    }

    // Search is measured on a settled store, not while maintenance digests a bulk load: on PostgreSQL
    // an explicit VACUUM ANALYZE (autovacuum would otherwise run during the measurement); PGlite has
    // no autovacuum, and the platform's own background ANALYZE gets a few seconds to finish.
    const settle = async (): Promise<void> => {
      if (databaseUrl) {
        const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
        await sql.unsafe('VACUUM ANALYZE');
        await sql.end();
      } else await new Promise((r) => setTimeout(r, 5000));
    };
    const population = syntheticPatients(PATIENTS, 42);
    const searchAt = async (size: number): Promise<void> => {
      const queries = population.slice(0, size).filter((_, k) => k % 7 === 0).map((p) => `${TENANT_BASE}/Patient?family=${encodeURIComponent(p.name[0].family)}&birthdate=${p.birthDate}`);
      for (const c of LEVELS) {
        log(`${backend}: search family+birthdate at ${size} patients c=${c}`);
        let i = 0;
        const ours = await runLoad({ url, connections: c, durationSeconds: DURATION, headers: auth, path: () => queries[i++ % queries.length] });
        rows.push({ scenario: `search family+birthdate, ${size / 1000}k patients, c=${c}`, ours });
      }
    };
    const firstSize = Math.min(10_000, PATIENTS);
    facts.ingestPerSecondFirst = Math.round(await loadPatients(server.url, auth, population.slice(0, firstSize), backend));
    await settle();
    await searchAt(firstSize);
    if (PATIENTS > firstSize) {
      facts.ingestPerSecondRest = Math.round(await loadPatients(server.url, auth, population.slice(firstSize), backend));
      await settle();
      await searchAt(PATIENTS);
    }

    const txBody = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: syntheticPatients(100, 7).map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) });
    for (const c of LEVELS) {
      log(`${backend}: transaction of 100 c=${c}`);
      const ours = await runLoad({ url: `${server.url}${TENANT_BASE}`, connections: c, durationSeconds: DURATION, method: 'POST', headers: auth, body: txBody });
      rows.push({ scenario: `transaction Bundle of 100 c=${c}`, ours });
    }
    facts.rssAfterMb = rssMegabytes(server.pid);
  } finally {
    await server?.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { rows, facts };
}

const fmt = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(2)) : '-');

function table(backend: string, rows: Row[], facts: Record<string, number | string>): string {
  const lines = [
    `### ${backend}`,
    '',
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | limit req/s | limit p95 ms | ours / limit |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = r.limit ? `${((r.ours.rps / r.limit.rps) * 100).toFixed(0)}%` : '';
    lines.push(`| ${r.scenario} | ${fmt(r.ours.rps)} | ${fmt(r.ours.p50)} | ${fmt(r.ours.p95)} | ${fmt(r.ours.p99)} | ${r.ours.errors} | ${r.limit ? fmt(r.limit.rps) : ''} | ${r.limit ? fmt(r.limit.p95) : ''} | ${ratio} |`);
  }
  lines.push('', ...Object.entries(facts).map(([k, v]) => `- ${k}: ${v}`), '');
  return lines.join('\n');
}

mkdirSync(RESULTS, { recursive: true });
const backends = args.backend === 'both' ? (['postgres', 'pglite'] as const) : [args.backend as 'postgres' | 'pglite'];
const header = `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Duration ${DURATION}s per run, ${PATIENTS} patients.\n`;
let report = `# Benchmark run ${new Date().toISOString()}\n\n${header}\n`;
for (const backend of backends) {
  const { rows, facts } = await benchBackend(backend);
  writeFileSync(join(RESULTS, `${backend}.json`), JSON.stringify({ date: new Date().toISOString(), header, rows, facts }, null, 2));
  report += `${table(backend, rows, facts)}\n`;
}
writeFileSync(join(RESULTS, 'latest.md'), report);
process.stdout.write(report);
