// Child processes the benchmarks drive: the platform as `npm start` runs it (built, from dist/), and
// the "limit" servers the scenarios are compared with.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { waitForHealth } from '../test/support/net.js';

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..');

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server not ready after ${timeoutMs} ms:\n${seen.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${seen.slice(-2000)}`));
    });
  });
}

const stopper = (child: ChildProcess) => (): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** `nodeArgs`: extra Node.js flags (e.g. `--cpu-prof` to profile a scenario). */
export async function startPlatformProcess(port: number, env: Record<string, string>, nodeArgs: string[] = []): Promise<RunningServer & { credentials: { clients: { clientId: string; clientSecret: string; tenant?: string }[] } }> {
  // The same command line as `npm start`.
  const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, join(ROOT, 'dist/src/main.js')], {
    // Benchmarks measure the platform, not its per-client rate limit (one client drives all the load).
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SCIP_RATE_LIMIT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  await waitForHealth(`http://127.0.0.1:${port}/healthz`, child, 120_000, () => output);
  // A DPL process of the distributed topology creates no demo clients, so it has no credentials file.
  const credentialsFile = join(env.SCIP_DATA_DIR, 'dev-credentials.json');
  const credentials = existsSync(credentialsFile) ? JSON.parse(readFileSync(credentialsFile, 'utf8')) : { clients: [] };
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, credentials, stop: stopper(child) };
}

/** The read limit: a bare route on the same framework returning the same JSON text from memory. */
export async function startBareServer(port: number, body: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')], {
    env: { ...process.env, PORT: String(port), BARE_BODY: body },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  await waitForLine(child, /bare ready/, 30_000);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: stopper(child) };
}

export function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  // The fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by the PostgreSQL processes running on this machine (the server the
 * benchmarks use is local): the difference over a run is the database's share of the work.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) continue;
      total += cpuSeconds(Number(entry));
    } catch {
      // The process ended between listing and reading.
    }
  }
  return total;
}

export interface BenchDatabase {
  /** DATABASE_URL for the platform; undefined on the embedded database (it lives in the data directory). */
  url?: string;
  drop(): Promise<void>;
}

/** The database of one benchmark run: a fresh PostgreSQL database, created now and dropped by `drop`. */
export async function benchDatabase(backend: 'postgres' | 'pglite', adminUrl: string, prefix: string): Promise<BenchDatabase> {
  if (backend === 'pglite') return { drop: async () => undefined };
  const name = `${prefix}_${Date.now()}`;
  const admin = (): postgres.Sql => postgres(adminUrl, { max: 1, onnotice: () => undefined });
  const create = admin();
  await create.unsafe(`CREATE DATABASE ${name}`);
  await create.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = admin();
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}

/**
 * A stage a benchmark run skips keeps its figures from the previous results file, marked with when they
 * were measured. Returns a function giving the carried figures of one stage (undefined if none).
 */
export function previousStages(resultsFile: string): (stage: string) => Record<string, unknown> | undefined {
  const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {};
  return (stage) => {
    const figures = previous[stage] as (Record<string, unknown> & { measured?: string }) | undefined;
    return figures ? { ...figures, measured: figures.measured ?? previous.date } : undefined;
  };
}
