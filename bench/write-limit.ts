// The write benchmarks' limit: single-row INSERT statements, each its own commit, straight through
// the database driver, at the same concurrency and for the same time as the scenario.
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { percentile } from './load.js';
import type { LoadResult } from './load.js';

async function drive(connections: number, durationSeconds: number, insert: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const times: number[] = [];
  const end = Date.now() + durationSeconds * 1000;
  let counter = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        await insert(counter++);
        times.push(performance.now() - t0);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { connections, requests: times.length, rps: times.length / durationSeconds, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), errors: 0 };
}

export async function postgresInsertLimit(url: string, connections: number, durationSeconds: number, content: string): Promise<LoadResult> {
  const sql = postgres(url, { max: connections, onnotice: () => undefined });
  await sql.unsafe('CREATE TABLE IF NOT EXISTS bench_limit (id text PRIMARY KEY, content text NOT NULL)');
  const run = `${Date.now()}-${connections}`;
  try {
    return await drive(connections, durationSeconds, (i) => sql.unsafe('INSERT INTO bench_limit (id, content) VALUES ($1, $2)', [`${run}-${i}`, content], { prepare: true }));
  } finally {
    await sql.end();
  }
}

export async function pgliteInsertLimit(dataDir: string, connections: number, durationSeconds: number, content: string): Promise<LoadResult> {
  const db = await PGlite.create({ dataDir });
  await db.query('CREATE TABLE IF NOT EXISTS bench_limit (id text PRIMARY KEY, content text NOT NULL)');
  const run = `${Date.now()}-${connections}`;
  try {
    return await drive(connections, durationSeconds, (i) => db.query('INSERT INTO bench_limit (id, content) VALUES ($1, $2)', [`${run}-${i}`, content]));
  } finally {
    await db.close();
  }
}
