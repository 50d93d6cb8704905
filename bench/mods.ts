// `npm run bench:mods`: the MODS adapter's speed. In process, on one core: MODS → FHIR and FHIR → MODS
// records per second for About Me (and every class); over HTTP: the publish round trip (POST a MODS
// About Me, GET it back as MODS) against the built platform on PostgreSQL and on PGlite.
// Writes bench/results/mods.json and mods.md.
//   npm run bench:mods -- [--seconds 3] [--duration 10] [--backend both|postgres|pglite]
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fhirToMods, modsClass, modsToFhir, MODS_CLASSES, parseMods } from '../src/mods/index.js';
import type { ModsClass } from '../src/mods/index.js';
import { lookupIn, modsValidator } from '../test/support/mods.js';
import { recordArbitrary } from '../test/support/mods-arbitrary.js';
import { runLoad } from './load.js';
import type { LoadResult } from './load.js';
import { benchDatabase, startPlatformProcess } from './servers.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    backend: { type: 'string', default: 'both' },
    'admin-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const SECONDS = Number(args.seconds);
const log = (msg: string): void => void process.stderr.write(`[bench:mods] ${msg}\n`);
const RESULTS = join(import.meta.dirname, 'results');
const ABOUT_ME_FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/mods/about-me.margaret-okafor.json'), 'utf8')) as Record<string, unknown>;

/** Calls fn over the inputs round-robin for `seconds`, and returns calls per second. */
function rate<T>(inputs: T[], fn: (input: T) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(inputs[i % inputs.length]); // warm-up: JIT and caches
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++) fn(inputs[n++ % inputs.length]);
  }
  return n / ((performance.now() - t0) / 1000);
}

interface InProcessRow {
  class: string;
  records: string;
  toFhirPerSecond: number;
  toModsPerSecond: number;
  toFhirValidatedPerSecond?: number;
}

function inProcess(cls: ModsClass, inputs: unknown[], label: string, withValidation: boolean): InProcessRow {
  const ctx = { newUuid: randomUUID, today: '2026-11-22' };
  const fhir = inputs.map((i) => modsToFhir(cls, parseMods(cls, i), ctx));
  const row: InProcessRow = {
    class: cls.name,
    records: label,
    toFhirPerSecond: rate(inputs, (i) => modsToFhir(cls, parseMods(cls, i), ctx)),
    toModsPerSecond: rate(fhir, (entries) => fhirToMods(cls, entries[0].resource, lookupIn(entries))),
  };
  if (withValidation) {
    const validator = modsValidator();
    row.toFhirValidatedPerSecond = rate(inputs, (i) => modsToFhir(cls, parseMods(cls, i), ctx).forEach((e) => validator.validate(e.resource)));
  }
  log(`${cls.name} (${label}): MODS→FHIR ${Math.round(row.toFhirPerSecond)}/s, FHIR→MODS ${Math.round(row.toModsPerSecond)}/s`);
  return row;
}

async function overHttp(backend: 'postgres' | 'pglite'): Promise<{ scenario: string; result: LoadResult }[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `scip-bench-mods-${backend}-`));
  const env: Record<string, string> = { SCIP_DATA_DIR: dataDir };
  const database = await benchDatabase(backend, args['admin-url'] as string, 'scip_bench_mods');
  if (database.url) env.DATABASE_URL = database.url;
  const rows: { scenario: string; result: LoadResult }[] = [];
  let server: Awaited<ReturnType<typeof startPlatformProcess>> | undefined;
  try {
    const platform = await startPlatformProcess(8741, env);
    server = platform;
    const client = platform.credentials.clients.find((c) => c.tenant === 'sunrise-care') as { clientId: string; clientSecret: string };
    const tokenRes = await fetch(`${platform.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }) });
    const auth = { authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
    const subject = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/mods/subject-of-care.margaret-okafor.json'), 'utf8')) as Record<string, unknown>;
    delete subject.versionNumber;
    const made = await fetch(`${platform.url}/tenants/sunrise-care/mods/subject-of-care`, { method: 'POST', headers: auth, body: JSON.stringify(subject) });
    if (made.status !== 201) throw new Error(`subject publish failed: ${made.status} ${await made.text()}`);
    const body = JSON.stringify(ABOUT_ME_FIXTURE);
    for (const c of [1, 8]) {
      log(`${backend}: publish About Me c=${c}`);
      rows.push({ scenario: `publish About Me (POST, 201) c=${c}`, result: await runLoad({ url: `${platform.url}/tenants/sunrise-care/mods/about-me`, connections: c, durationSeconds: Number(args.duration), method: 'POST', headers: auth, body }) });
    }
    const one = await fetch(`${platform.url}/tenants/sunrise-care/mods/about-me`, { method: 'POST', headers: auth, body });
    const { id } = (await one.json()) as { id: string };
    for (const c of [1, 8]) {
      log(`${backend}: read About Me as MODS c=${c}`);
      rows.push({ scenario: `read About Me as MODS (GET) c=${c}`, result: await runLoad({ url: `${platform.url}/tenants/sunrise-care/mods/about-me/${id}`, connections: c, durationSeconds: Number(args.duration), headers: auth }) });
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
  return rows;
}

const aboutMe = modsClass('about-me') as ModsClass;
const inProcessRows: InProcessRow[] = [
  inProcess(aboutMe, [ABOUT_ME_FIXTURE], 'the mods.md example (7 sections, 1 media link)', true),
  inProcess(aboutMe, fc.sample(recordArbitrary(aboutMe), { numRuns: 500, seed: 1 }), '500 generated', false),
  ...MODS_CLASSES.filter((c) => c !== aboutMe).map((cls) => inProcess(cls, fc.sample(recordArbitrary(cls), { numRuns: 300, seed: 2 }), '300 generated', false)),
];

const backends = args.backend === 'both' ? (['postgres', 'pglite'] as const) : [args.backend as 'postgres' | 'pglite'];
const httpRows: Record<string, { scenario: string; result: LoadResult }[]> = {};
for (const backend of backends) httpRows[backend] = await overHttp(backend);

const header = `Machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. In process: one core, ${SECONDS} s per measurement. HTTP: ${args.duration} s per run, built platform (npm start).`;
const n = (x: number): string => Math.round(x).toLocaleString('en-GB');
const lines = [
  `# MODS benchmark ${new Date().toISOString()}`,
  '',
  header,
  '',
  '## In process (records per second, one core)',
  '',
  '| class | records | MODS → FHIR | FHIR → MODS | MODS → FHIR + R4/UK Core validation |',
  '|---|---|---:|---:|---:|',
  ...inProcessRows.map((r) => `| ${r.class} | ${r.records} | ${n(r.toFhirPerSecond)} | ${n(r.toModsPerSecond)} | ${r.toFhirValidatedPerSecond ? n(r.toFhirValidatedPerSecond) : ''} |`),
  '',
];
for (const [backend, rows] of Object.entries(httpRows)) {
  lines.push(`## Over HTTP on ${backend}`, '', '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors |', '|---|---:|---:|---:|---:|---:|');
  for (const { scenario, result } of rows) lines.push(`| ${scenario} | ${n(result.rps)} | ${result.p50.toFixed(2)} | ${result.p95.toFixed(2)} | ${result.p99.toFixed(2)} | ${result.errors} |`);
  lines.push('');
}
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, 'mods.json'), JSON.stringify({ date: new Date().toISOString(), header, inProcess: inProcessRows, http: httpRows }, null, 2));
writeFileSync(join(RESULTS, 'mods.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
