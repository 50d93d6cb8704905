// `npm run bench:access`: what authorisation and audit cost (issue #6), against the built platform on
// PostgreSQL. Each scenario runs in one run as shipped (the starter policy and the write-behind audit
// trail), against a baseline with a permit-all policy and the audit trail turned off
// (SCIP_UNSAFE_DISABLE_AUDIT), and with synchronous audit (SCIP_AUDIT_MODE=synchronous). Reads and
// searches are made by the tenant's system client and by a care worker (whose searches carry the
// sensitivity-label filter). Targets: ≤ 15% added p95 latency, ≤ 20% less throughput. Then the audit
// trail is filled to 1,000,000 events and `scip audit verify` is timed (target ≤ 30 s).
// Writes bench/results/access.json and access.md; a run narrowed to some cells (--callers, --scenarios,
// --levels) writes access-partial.json and .md instead, leaving the full run's results alone.
//   npm run bench:access -- [--duration 10] [--rounds 5] [--events 1000000] [--skip verify|overhead]
//     [--callers system,care] [--scenarios read,search] [--levels 1,8]
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
import type { BenchDatabase } from './servers.js';
import { benchDatabase, cpuSeconds, postgresCpuSeconds, previousStages, startPlatformProcess } from './servers.js';
import { syntheticPatients } from './synthetic.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    events: { type: 'string', default: '1000000' },
    skip: { type: 'string', default: '' },
    callers: { type: 'string', default: 'system,care' },
    scenarios: { type: 'string', default: 'read,search' },
    levels: { type: 'string', default: '1,8' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const CALLERS = { system: 'system client', care: 'care worker' } as const;
const listed = (arg: string | undefined): string[] => (arg ?? '').split(',').map((v) => v.trim()).filter(Boolean);
const callers = listed(args.callers).map((c) => {
  if (!(c in CALLERS)) throw new Error(`--callers: ${c} is not one of ${Object.keys(CALLERS).join(', ')}`);
  return CALLERS[c as keyof typeof CALLERS];
});
const isScenario = (s: string): s is 'read' | 'search' => s === 'read' || s === 'search';
const scenarios = listed(args.scenarios).map((s) => {
  if (!isScenario(s)) throw new Error(`--scenarios: ${s} is not read or search`);
  return s;
});
const LEVELS = listed(args.levels).map(Number);
/** Narrowed to some cells, a run is an experiment: its results go beside the full run's, not over them. */
const RESULTS_NAME = callers.length * scenarios.length * LEVELS.length < 8 ? 'access-partial' : 'access';
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
  /**
   * Against the baseline round by round (each round's turns seconds apart), the median of the rounds'
   * changes. Absent from results written before it was measured (carried by --skip overhead).
   */
  paired?: Record<'audited' | 'synchronous', Change>;
  /** Each round's figures, in the order run: what the medians and the paired changes are taken from. */
  rounds?: Record<Mode, { rps: number; p95: number }[]>;
}

/** A configuration against the baseline, as fractions: +0.1 is 10% more. */
interface Change {
  p95: number;
  rps: number;
}

/** The median (of an even number of values, the upper middle one). */
const middle = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 50);

/** Each figure of a scenario's rounds, the median. */
function medianOfRuns(runs: readonly Measured[]): Measured {
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
// The baseline's process runs without the change feed throughout: its permit-all policy asks for no
// relationship, so it needs no Patient registered. The others digest the feed (the care worker's
// relationships come from it) and are then restarted without it (see overhead()).
const MODE_ENV: Record<Mode, Record<string, string>> = {
  audited: {},
  unaudited: { SCIP_UNSAFE_DISABLE_AUDIT: 'true', SCIP_CHANGE_FEED: 'false' },
  synchronous: { SCIP_AUDIT_MODE: 'synchronous' },
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

type Server = Awaited<ReturnType<typeof startPlatformProcess>>;
type Client = { clientId: string; clientSecret: string };

/**
 * The three configurations run side by side as three processes, each on a store of its own holding
 * the same Patients, and take turns cell by cell: in each of ROUNDS rounds every scenario runs once per
 * configuration, back to back, in an order that rotates, so that the drift of a shared two-core machine
 * (its speed moves by tens of per cent within minutes) falls on all three alike. Each figure is the
 * median of its rounds, and each comparison with the baseline also the median of the rounds' own
 * comparisons (turns seconds apart, so the drift between them is small). A store of its own each: a
 * policy is the store's (the baseline's is permit-all), and the synchronous mode's commit per request
 * is kept out of the as-shipped process's store.
 */
async function overhead(databaseUrls: Record<Mode, string>, dataDir: string): Promise<Row[]> {
  const servers = new Map<Mode, Server>();
  try {
    const start = async (mode: Mode, env: Record<string, string> = {}): Promise<void> => {
      const dir = join(dataDir, mode);
      mkdirSync(dir, { recursive: true });
      servers.set(mode, await startPlatformProcess(8771 + MODES.indexOf(mode), { SCIP_DATA_DIR: dir, DATABASE_URL: databaseUrls[mode], SCIP_DB_MAX_CONNECTIONS: '16', ...MODE_ENV[mode], ...env }));
    };
    for (const mode of MODES) await start(mode);
    const patients = syntheticPatients(2000, 77);
    /** A store's clients (its demo world's, and a care worker made for the run), the Patients loaded into it and the ids read. */
    const prepare = async (server: Server, policy?: unknown): Promise<{ client: Client; careWorker: Client; ids: string[] }> => {
      const client = server.credentials.clients.find((c) => c.tenant === 'sunrise-care') as Client;
      const admin = server.credentials.clients.find((c) => c.clientId === 'platform-admin') as Client;
      const adminAuth = { authorization: `Bearer ${await token(server.url, admin.clientId, admin.clientSecret)}`, 'content-type': 'application/json' };
      const created = await fetch(`${server.url}/admin/clients`, { method: 'POST', headers: adminAuth, body: JSON.stringify({ clientId: 'bench-care-worker', tenant: 'sunrise-care', roles: ['care-worker'] }) });
      const careWorker = { clientId: 'bench-care-worker', clientSecret: ((await created.json()) as { clientSecret: string }).clientSecret };
      if (policy) {
        const res = await fetch(`${server.url}/admin/policy`, { method: 'PUT', headers: adminAuth, body: JSON.stringify(policy) });
        if (res.status !== 200) throw new Error(`policy: ${res.status} ${await res.text()}`);
      }
      const auth = { authorization: `Bearer ${await token(server.url, client.clientId, client.clientSecret)}`, 'content-type': 'application/fhir+json' };
      for (let i = 0; i < patients.length; i += 500) {
        const bundle = { resourceType: 'Bundle', type: 'transaction', entry: patients.slice(i, i + 500).map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) };
        const res = await fetch(`${server.url}${TENANT_BASE}`, { method: 'POST', headers: auth, body: JSON.stringify(bundle) });
        if (res.status !== 200) throw new Error(`load: ${res.status}`);
      }
      const ids = ((await (await fetch(`${server.url}${TENANT_BASE}/Patient?_count=1000&_elements=id`, { headers: auth })).json()) as { entry: { resource: { id: string } }[] }).entry.map((e) => e.resource.id);
      return { client, careWorker, ids };
    };
    const stores = new Map<Mode, Awaited<ReturnType<typeof prepare>>>();
    for (const mode of MODES) stores.set(mode, await prepare(servers.get(mode) as Server, mode === 'unaudited' ? PERMIT_ALL_POLICY : undefined));
    // Measured once the loaded Patients are registered, not while the feed competes for the cores.
    for (const mode of MODES) {
      const sql = postgres(databaseUrls[mode], { max: 1, onnotice: () => undefined });
      const digested = MODE_ENV[mode].SCIP_CHANGE_FEED !== 'false';
      while (digested && Number((await sql.unsafe('SELECT count(*) AS n FROM change_outbox'))[0].n) > 0) await new Promise((r) => setTimeout(r, 500));
      await sql.unsafe('VACUUM ANALYZE');
      await sql.end();
    }
    // Then every process runs without the feed: its polling (a transaction per lane once a second when
    // idle, every 100 ms for two seconds after a write) is neither authorisation nor audit, and the
    // baseline does not do it. And the baseline's process is given the time to pick up its policy.
    for (const mode of ['audited', 'synchronous'] as const) {
      await (servers.get(mode) as Server).stop();
      await start(mode, { SCIP_CHANGE_FEED: 'false' });
    }
    await new Promise((r) => setTimeout(r, POLICY_PICKUP_MS));
    const storeOf = (mode: Mode) => stores.get(mode) as Awaited<ReturnType<typeof prepare>>;
    const auth = new Map<string, Record<string, string>>();
    for (const mode of MODES) {
      const server = servers.get(mode) as Server;
      const { client, careWorker } = storeOf(mode);
      for (const [caller, c] of [['system client', client], ['care worker', careWorker]] as const) auth.set(`${mode}/${caller}`, { authorization: `Bearer ${await token(server.url, c.clientId, c.clientSecret)}`, 'content-type': 'application/fhir+json' });
    }
    const searches = patients.filter((_, k) => k % 3 === 0).map((p) => `${TENANT_BASE}/Patient?family=${encodeURIComponent(p.name[0].family)}&birthdate=${p.birthDate}`);
    const runs = new Map<string, Measured[]>();
    const cells = callers.flatMap((caller) => scenarios.flatMap((scenario) => LEVELS.map((c) => ({ caller, scenario, c }))));
    const drive = (mode: Mode, { caller, scenario, c }: (typeof cells)[number], durationSeconds: number): Promise<LoadResult> => {
      let i = 0;
      const ids = storeOf(mode).ids;
      const path = scenario === 'read' ? () => `${TENANT_BASE}/Patient/${ids[i++ % ids.length]}` : () => searches[i++ % searches.length];
      return runLoad({ url: (servers.get(mode) as Server).url, connections: c, durationSeconds, headers: auth.get(`${mode}/${caller}`), path });
    };
    // Not measured: every process's code paths compiled by V8 before the first round.
    log('warming up');
    for (const mode of MODES) for (const cell of cells) await drive(mode, cell, 1);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [k, cell] of cells.entries()) {
        const { caller, scenario, c } = cell;
        // Each configuration goes first, second and third in turn.
        const shift = (round + k) % MODES.length;
        for (const mode of [...MODES.slice(shift), ...MODES.slice(0, shift)]) {
          log(`round ${round}/${ROUNDS}: ${caller} ${scenario} c=${c} ${mode}`);
          const server = servers.get(mode) as Server;
          const [nodeBefore, databaseBefore] = [cpuSeconds(server.pid), postgresCpuSeconds()];
          const load = await drive(mode, cell, DURATION);
          // CPU per request is steadier than latency on a shared two-core machine: where the cost goes.
          const perRequest = (seconds: number): number => Math.round((seconds * 1e6) / Math.max(1, load.requests));
          const result: Measured = { ...load, nodeCpuUs: perRequest(cpuSeconds(server.pid) - nodeBefore), postgresCpuUs: perRequest(postgresCpuSeconds() - databaseBefore) };
          const key = `${mode}/${caller}/${scenario}/${c}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
        }
      }
    }
    const median = (key: string): Measured => medianOfRuns(runs.get(key) as Measured[]);
    const paired = (mode: Mode, cell: string): Change => {
      const baseline = runs.get(`unaudited/${cell}`) as Measured[];
      const measured = runs.get(`${mode}/${cell}`) as Measured[];
      const change = (field: 'p95' | 'rps'): number => middle(measured.map((m, round) => m[field] / baseline[round][field] - 1));
      return { p95: change('p95'), rps: change('rps') };
    };
    return cells.map(({ caller, scenario, c }) => {
      const cell = `${caller}/${scenario}/${c}`;
      return {
        scenario: `${scenario} c=${c} (${caller})`,
        audited: median(`audited/${cell}`),
        unaudited: median(`unaudited/${cell}`),
        synchronous: median(`synchronous/${cell}`),
        paired: { audited: paired('audited', cell), synchronous: paired('synchronous', cell) },
        rounds: Object.fromEntries(MODES.map((mode) => [mode, (runs.get(`${mode}/${cell}`) as Measured[]).map((m) => ({ rps: Math.round(m.rps), p95: m.p95 }))])) as Record<Mode, { rps: number; p95: number }[]>,
      };
    });
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
const databases = new Map<Mode, BenchDatabase>();
const dataDir = mkdtempSync(join(tmpdir(), 'scip-bench-access-'));
try {
  for (const mode of MODES) databases.set(mode, await benchDatabase('postgres', args['admin-url'] as string, `scip_bench_access_${mode}`));
  const urlOf = (mode: Mode): string => databases.get(mode)?.url as string;
  if (!(args.skip as string).includes('overhead')) out.overhead = await overhead({ audited: urlOf('audited'), unaudited: urlOf('unaudited'), synchronous: urlOf('synchronous') }, dataDir);
  else Object.assign(out, { overhead: previousRun.overhead ?? [], overheadMeasured: previousRun.overheadMeasured ?? previousRun.date });
  // On the as-shipped store: its trail as the overhead stage left it, and the 1,000,000 events after it.
  if (!(args.skip as string).includes('verify')) out.verify = await verifyAtScale(urlOf('audited'), Number(args.events), dataDir);
  else if (previous('verify')) out.verify = previous('verify');
} finally {
  for (const database of databases.values()) await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, `${RESULTS_NAME}.json`), `${JSON.stringify(out, null, 2)}\n`);
const signed = (fraction: number): string => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
/** A configuration's change against the baseline: of the medians, and (where measured) the median of the rounds' own. */
const change = (r: Row, mode: 'audited' | 'synchronous', field: 'p95' | 'rps'): string => {
  const ofMedians = signed(r[mode][field] / r.unaudited[field] - 1);
  return r.paired ? `${ofMedians} (${signed(r.paired[mode][field])})` : ofMedians;
};
const lines = [
  `# Access benchmark (${String(out.date)})`, '', `Machine: ${JSON.stringify(out.machine)}`, '',
  'CPU µs/request: the platform process + PostgreSQL, per request of the run. Each change against the baseline is that of the medians, then in brackets the median of the rounds\' own changes (each round\'s turns run seconds apart).',
  ...(out.overheadMeasured ? [`The overhead table was measured ${String(out.overheadMeasured)}.`] : []), '',
  '| scenario | as shipped (starter policy, write-behind audit) req/s | p95 ms | CPU µs/request | baseline (permit-all, no audit) req/s | p95 ms | CPU µs/request | added p95 | throughput change | synchronous audit req/s | p95 ms | added p95 | throughput change |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const cpu = (m: Measured): string => `${m.nodeCpuUs} + ${m.postgresCpuUs}`;
for (const r of out.overhead as Row[]) {
  lines.push(`| ${r.scenario} | ${r.audited.rps.toFixed(0)} | ${r.audited.p95.toFixed(2)} | ${cpu(r.audited)} | ${r.unaudited.rps.toFixed(0)} | ${r.unaudited.p95.toFixed(2)} | ${cpu(r.unaudited)} | ${change(r, 'audited', 'p95')} | ${change(r, 'audited', 'rps')} | ${r.synchronous.rps.toFixed(0)} | ${r.synchronous.p95.toFixed(2)} | ${change(r, 'synchronous', 'p95')} | ${change(r, 'synchronous', 'rps')} |`);
}
// The targets: at most 15% added p95 and 20% less throughput than the baseline (decision 0027).
const withinTargets = (p95: number, rps: number): boolean => p95 <= 0.15 && rps >= -0.2;
const rows = out.overhead as Row[];
const byMedians = rows.filter((r) => withinTargets(r.audited.p95 / r.unaudited.p95 - 1, r.audited.rps / r.unaudited.rps - 1)).length;
const byRounds = rows.filter((r) => r.paired && withinTargets(r.paired.audited.p95, r.paired.audited.rps)).length;
lines.push('', `As shipped, within both targets (≤ 15% added p95, ≤ 20% less throughput): ${byRounds} of ${rows.length} cells by the rounds' own changes, ${byMedians} of ${rows.length} by the medians.`);
const v = out.verify as { events: number; fillSeconds: number; verify: { seconds: number; ok: boolean } } | undefined;
if (v) lines.push('', `scip audit verify over ${v.events} events: ${v.verify.seconds} s (ok: ${String(v.verify.ok)}); the trail was filled in ${v.fillSeconds.toFixed(0)} s${(v as { measured?: string }).measured ? ` (measured ${(v as { measured?: string }).measured})` : ''}.`);
writeFileSync(join(RESULTS, `${RESULTS_NAME}.md`), `${lines.join('\n')}\n`);
log(`written bench/results/${RESULTS_NAME}.json and ${RESULTS_NAME}.md`);
