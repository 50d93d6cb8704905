// `npm run bench:access`: what authorisation and audit cost (issue #6), against the built platform on
// PostgreSQL. Each scenario runs on the same store in one run: as shipped (the starter policy and the
// write-behind audit trail), against a baseline with a permit-all policy and the audit trail turned
// off (SCIP_UNSAFE_DISABLE_AUDIT), and with synchronous audit (SCIP_AUDIT_MODE=synchronous). Reads and
// searches are made by the tenant's system client and by a care worker (whose searches carry the
// sensitivity-label filter). Targets: ≤ 15% added p95 latency, ≤ 20% less throughput. Then the audit
// trail is filled to 1,000,000 events and `scip audit verify` is timed (target ≤ 30 s).
// Writes bench/results/access.json and access.md.
//   npm run bench:access -- [--duration 10] [--rounds 5] [--events 1000000] [--skip verify|overhead]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditRecord } from '../src/access/index.js';
import { appendAudit, migrate, openDatabase, startAuditChain } from '../src/store/index.js';
import postgres from 'postgres';
import { percentile, runLoad } from './load.js';
import type { LoadResult } from './load.js';
import { benchDatabase, cpuSeconds, postgresCpuSeconds, previousStages, startPlatformProcess } from './servers.js';
import { syntheticPatients } from './synthetic.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    events: { type: 'string', default: '1000000' },
    skip: { type: 'string', default: '' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const LEVELS = [1, 8];
const TENANT_BASE = '/tenants/sunrise-care/fhir';
const log = (msg: string): void => void process.stderr.write(`[bench:access] ${msg}\n`);
const RESULTS = join(import.meta.dirname, 'results');
const ROOT = join(import.meta.dirname, '..');

async function token(url: string, id: string, secret: string): Promise<string> {
  const res = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A run's load figures, with the CPU the platform process and PostgreSQL spent per request (µs). */
interface Measured extends LoadResult {
  nodeCpuUs: number;
  postgresCpuUs: number;
}

interface Row {
  scenario: string;
  /** As shipped: the starter policy, write-behind audit. */
  audited: Measured;
  /** The baseline: a permit-all policy, no audit. */
  unaudited: Measured;
  /** SCIP_AUDIT_MODE=synchronous: each request waits for its own event to be written. */
  synchronous: Measured;
}

/** Each figure of a scenario's rounds, the median (of an even number of rounds, the upper middle one). */
function medianOfRuns(runs: readonly Measured[]): Measured {
  const middle = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
  const pick = (field: 'rps' | 'p50' | 'p95' | 'p99' | 'nodeCpuUs' | 'postgresCpuUs'): number => middle(runs.map((r) => r[field]));
  return {
    ...runs[0],
    requests: middle(runs.map((r) => r.requests)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    timeouts: runs.reduce((sum, r) => sum + (r.timeouts ?? 0), 0),
    rps: pick('rps'), p50: pick('p50'), p95: pick('p95'), p99: pick('p99'), nodeCpuUs: pick('nodeCpuUs'), postgresCpuUs: pick('postgresCpuUs'),
  };
}

const MODES = ['audited', 'unaudited', 'synchronous'] as const;
type Mode = (typeof MODES)[number];
// One process digests the change feed (registering the loaded Patients), as operations.md asks of
// several nodes on one database; the others leave it alone. It is restarted without the feed before
// the scenarios run.
const MODE_ENV: Record<Mode, Record<string, string>> = {
  audited: {},
  unaudited: { SCIP_UNSAFE_DISABLE_AUDIT: 'true', SCIP_CHANGE_FEED: 'false' },
  synchronous: { SCIP_AUDIT_MODE: 'synchronous', SCIP_CHANGE_FEED: 'false' },
};

/** The baseline's policy: every bench caller may do anything, with no label filter and no relationship check. */
const PERMIT_ALL_POLICY = {
  description: 'Benchmark baseline: permit all',
  labels: { otherwise: 'clinical' },
  rules: [{ id: 'permit-all', effect: 'permit', roles: ['system', 'care-worker', 'platform-admin'], types: ['*'], interactions: ['*'], labels: ['administrative', 'clinical', 'restricted'], relationship: false }],
  breakGlass: { roles: [], maxMinutes: 60 },
};
/** Every process rechecks the stored policy within 5 s (access/policy/policies.ts). */
const POLICY_PICKUP_MS = 6_000;

/**
 * The three configurations run side by side as three processes on one store, and take turns: every
 * scenario runs once per configuration in each of ROUNDS rounds, so that drift in a shared two-core
 * machine is spread over all three rather than charged to one; each figure is the median of its
 * rounds. The policy is the store's, shared: it is switched to permit-all for the baseline's turns only.
 */
async function overhead(databaseUrl: string, dataDir: string): Promise<Row[]> {
  const servers = new Map<Mode, Awaited<ReturnType<typeof startPlatformProcess>>>();
  try {
    const start = async (mode: Mode, env: Record<string, string> = {}): Promise<void> => {
      const dir = join(dataDir, mode);
      mkdirSync(dir, { recursive: true });
      servers.set(mode, await startPlatformProcess(8771 + MODES.indexOf(mode), { SCIP_DATA_DIR: dir, DATABASE_URL: databaseUrl, SCIP_DB_MAX_CONNECTIONS: '16', ...MODE_ENV[mode], ...env }));
    };
    for (const mode of MODES) await start(mode);
    let first = servers.get('audited') as Awaited<ReturnType<typeof startPlatformProcess>>;
    const client = first.credentials.clients.find((c) => c.tenant === 'sunrise-care') as { clientId: string; clientSecret: string };
    const admin = first.credentials.clients.find((c) => c.clientId === 'platform-admin') as { clientId: string; clientSecret: string };
    const adminAuth = { authorization: `Bearer ${await token(first.url, admin.clientId, admin.clientSecret)}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.url}/admin/clients`, { method: 'POST', headers: adminAuth, body: JSON.stringify({ clientId: 'bench-care-worker', tenant: 'sunrise-care', roles: ['care-worker'] }) });
    const careWorker = { clientId: 'bench-care-worker', clientSecret: ((await created.json()) as { clientSecret: string }).clientSecret };
    const starterPolicy = ((await (await fetch(`${first.url}/admin/policy`, { headers: adminAuth })).json()) as { document: unknown }).document;
    const setPolicy = async (document: unknown): Promise<void> => {
      const res = await fetch(`${first.url}/admin/policy`, { method: 'PUT', headers: adminAuth, body: JSON.stringify(document) });
      if (res.status !== 200) throw new Error(`policy: ${res.status} ${await res.text()}`);
      await new Promise((r) => setTimeout(r, POLICY_PICKUP_MS));
    };
    const auth = new Map<string, Record<string, string>>();
    const signIn = async (mode: Mode): Promise<void> => {
      const server = servers.get(mode) as Awaited<ReturnType<typeof startPlatformProcess>>;
      for (const c of [client, careWorker]) auth.set(`${mode}/${c.clientId}`, { authorization: `Bearer ${await token(server.url, c.clientId, c.clientSecret)}`, 'content-type': 'application/fhir+json' });
    };
    for (const mode of MODES) await signIn(mode);
    const callers = [{ name: 'system client', clientId: client.clientId }, { name: 'care worker', clientId: careWorker.clientId }];
    const patients = syntheticPatients(2000, 77);
    for (let i = 0; i < patients.length; i += 500) {
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: patients.slice(i, i + 500).map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) };
      const res = await fetch(`${first.url}${TENANT_BASE}`, { method: 'POST', headers: auth.get(`audited/${client.clientId}`), body: JSON.stringify(bundle) });
      if (res.status !== 200) throw new Error(`load: ${res.status}`);
    }
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
    // Measured once the loaded Patients are registered (the care worker's relationships come from
    // that), not while the feed competes for the cores.
    while (Number((await sql.unsafe('SELECT count(*) AS n FROM change_outbox'))[0].n) > 0) await new Promise((r) => setTimeout(r, 500));
    await sql.unsafe('VACUUM ANALYZE');
    await sql.end();
    // Then the as-shipped process runs without the feed too: its polling (a transaction per lane once a
    // second when idle, every 100 ms for two seconds after a write) is neither authorisation nor audit,
    // and the baseline does not do it.
    await first.stop();
    await start('audited', { SCIP_CHANGE_FEED: 'false' });
    first = servers.get('audited') as Awaited<ReturnType<typeof startPlatformProcess>>;
    await signIn('audited');
    const ids = ((await (await fetch(`${first.url}${TENANT_BASE}/Patient?_count=1000&_elements=id`, { headers: auth.get(`audited/${client.clientId}`) })).json()) as { entry: { resource: { id: string } }[] }).entry.map((e) => e.resource.id);
    const searches = patients.filter((_, k) => k % 3 === 0).map((p) => `${TENANT_BASE}/Patient?family=${encodeURIComponent(p.name[0].family)}&birthdate=${p.birthDate}`);
    const runs = new Map<string, Measured[]>();
    const cells = callers.flatMap((caller) => (['read', 'search'] as const).flatMap((scenario) => LEVELS.map((c) => ({ caller, scenario, c }))));
    let policy: 'starter' | 'permit-all' = 'starter';
    for (let round = 1; round <= ROUNDS; round++) {
      // The baseline's turns together (the policy is switched twice a round, not for every cell), first
      // in odd rounds and last in even ones, so that drift is spread over every configuration.
      const modes = round % 2 ? (['unaudited', 'audited', 'synchronous'] as const) : (['audited', 'synchronous', 'unaudited'] as const);
      for (const mode of modes) {
        const wanted = mode === 'unaudited' ? 'permit-all' : 'starter';
        if (wanted !== policy) {
          await setPolicy(wanted === 'permit-all' ? PERMIT_ALL_POLICY : starterPolicy);
          policy = wanted;
        }
        for (const { caller, scenario, c } of cells) {
          let i = 0;
          log(`round ${round}/${ROUNDS}: ${caller.name} ${scenario} c=${c} ${mode} (${policy} policy)`);
          const path = scenario === 'read' ? () => `${TENANT_BASE}/Patient/${ids[i++ % ids.length]}` : () => searches[i++ % searches.length];
          const server = servers.get(mode) as { url: string; pid: number };
          const [nodeBefore, databaseBefore] = [cpuSeconds(server.pid), postgresCpuSeconds()];
          const load = await runLoad({ url: server.url, connections: c, durationSeconds: DURATION, headers: auth.get(`${mode}/${caller.clientId}`), path });
          // CPU per request is steadier than latency on a shared two-core machine: where the cost goes.
          const perRequest = (seconds: number): number => Math.round((seconds * 1e6) / Math.max(1, load.requests));
          const result: Measured = { ...load, nodeCpuUs: perRequest(cpuSeconds(server.pid) - nodeBefore), postgresCpuUs: perRequest(postgresCpuSeconds() - databaseBefore) };
          const key = `${mode}/${caller.name}/${scenario}/${c}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
        }
      }
    }
    const median = (key: string): Measured => medianOfRuns(runs.get(key) as Measured[]);
    return callers.flatMap((caller) =>
      (['read', 'search'] as const).flatMap((scenario) =>
        LEVELS.map((c) => ({
          scenario: `${scenario} c=${c} (${caller.name})`,
          audited: median(`audited/${caller.name}/${scenario}/${c}`),
          unaudited: median(`unaudited/${caller.name}/${scenario}/${c}`),
          synchronous: median(`synchronous/${caller.name}/${scenario}/${c}`),
        })),
      ),
    );
  } finally {
    for (const server of servers.values()) await server.stop();
  }
}

const FILL_BLOCK = 20;

async function verifyAtScale(databaseUrl: string, events: number, dataDir: string): Promise<{ events: number; fillSeconds: number; verify: Record<string, unknown> }> {
  const db = await openDatabase({ databaseUrl, dataDir, maxConnections: 2 });
  const started = performance.now();
  try {
    // The overhead stage's processes have migrated the store, unless it was skipped.
    await migrate(db);
    const template = (i: number) => auditRecord({
      id: randomUUID(), recorded: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), tenant: 'sunrise-care', site: 'http://127.0.0.1:8080/tenants/sunrise-care/fhir',
      agent: { clientId: 'sunrise-care-system', tenant: 'sunrise-care', roles: ['system'], address: '127.0.0.1' }, purpose: 'direct-care', action: 'R', interaction: { fhir: true, code: 'read' },
      status: 200, request: `GET /tenants/sunrise-care/fhir/Patient/p${i % 50_000}`, entities: [{ key: `sunrise-care/Patient/p${i % 50_000}`, url: `http://127.0.0.1:8080/tenants/sunrise-care/fhir/Patient/p${i % 50_000}` }], correlationId: randomUUID(),
    });
    let head = await startAuditChain(db);
    // Blocks of 20 events: what the write-behind log writes at about 2,000 requests a second (smaller
    // blocks than a busier platform's, so more rows for verification to read).
    for (let i = 0; i < events; i += FILL_BLOCK) {
      const moved = await appendAudit(db, head, Array.from({ length: Math.min(FILL_BLOCK, events - i) }, (_, k) => template(i + k)));
      if (!moved) throw new Error('audit chain moved under the benchmark');
      head = moved;
      if (i % 100_000 === 0) log(`audit trail: ${i} events`);
    }
  } finally {
    await db.close();
  }
  const fillSeconds = (performance.now() - started) / 1000;
  log('scip audit verify');
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'audit', 'verify', '--no-progress'], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`verify failed: ${run.stdout} ${run.stderr}`);
  return { events, fillSeconds, verify: JSON.parse(run.stdout) as Record<string, unknown> };
}

const previous = previousStages(join(RESULTS, 'access.json'));
// The overhead table is a list of rows: when skipped, it is carried as it is, with when it was measured.
const previousRun = existsSync(join(RESULTS, 'access.json')) ? (JSON.parse(readFileSync(join(RESULTS, 'access.json'), 'utf8')) as { date?: string; overhead?: Row[]; overheadMeasured?: string }) : {};
const out: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, date: new Date().toISOString() };
const database = await benchDatabase('postgres', args['admin-url'] as string, 'scip_bench_access');
const dataDir = mkdtempSync(join(tmpdir(), 'scip-bench-access-'));
try {
  if (!(args.skip as string).includes('overhead')) out.overhead = await overhead(database.url as string, dataDir);
  else Object.assign(out, { overhead: previousRun.overhead ?? [], overheadMeasured: previousRun.overheadMeasured ?? previousRun.date });
  if (!(args.skip as string).includes('verify')) out.verify = await verifyAtScale(database.url as string, Number(args.events), dataDir);
  else if (previous('verify')) out.verify = previous('verify');
} finally {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'access.json'), `${JSON.stringify(out, null, 2)}\n`);
const pct = (a: number, b: number): string => `${(((a - b) / b) * 100).toFixed(1)}%`;
const lines = [`# Access benchmark (${String(out.date)})`, '', `Machine: ${JSON.stringify(out.machine)}`, '', 'CPU µs/request: the platform process + PostgreSQL, per request of the run.', ...(out.overheadMeasured ? [`The overhead table was measured ${String(out.overheadMeasured)}.`] : []), '', '| scenario | as shipped (starter policy, write-behind audit) req/s | p95 ms | CPU µs/request | baseline (permit-all, no audit) req/s | p95 ms | CPU µs/request | added p95 | throughput change | synchronous audit req/s | p95 ms | added p95 | throughput change |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
const cpu = (m: Measured): string => `${m.nodeCpuUs} + ${m.postgresCpuUs}`;
for (const r of out.overhead as Row[]) {
  lines.push(`| ${r.scenario} | ${r.audited.rps.toFixed(0)} | ${r.audited.p95.toFixed(2)} | ${cpu(r.audited)} | ${r.unaudited.rps.toFixed(0)} | ${r.unaudited.p95.toFixed(2)} | ${cpu(r.unaudited)} | ${pct(r.audited.p95, r.unaudited.p95)} | ${pct(r.audited.rps, r.unaudited.rps)} | ${r.synchronous.rps.toFixed(0)} | ${r.synchronous.p95.toFixed(2)} | ${pct(r.synchronous.p95, r.unaudited.p95)} | ${pct(r.synchronous.rps, r.unaudited.rps)} |`);
}
const v = out.verify as { events: number; fillSeconds: number; verify: { seconds: number; ok: boolean } } | undefined;
if (v) lines.push('', `scip audit verify over ${v.events} events: ${v.verify.seconds} s (ok: ${String(v.verify.ok)}); the trail was filled in ${v.fillSeconds.toFixed(0)} s${(v as { measured?: string }).measured ? ` (measured ${(v as { measured?: string }).measured})` : ''}.`);
writeFileSync(join(RESULTS, 'access.md'), `${lines.join('\n')}\n`);
log('written bench/results/access.json and access.md');
