// Embedded PostgreSQL (PGlite, WASM) persisted to a data directory, or in memory for tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { Database, Queryable } from './driver.js';

/** PGlite's PostgreSQL reserves its buffers inside a WebAssembly heap that never shrinks. */
export const DEFAULT_EMBEDDED_SHARED_BUFFERS_MB = 32;

/**
 * Creates a new data directory (initdb) in a child process: initdb grows the WebAssembly heap by
 * ~400 MB, which a process never gets back (closing the instance and opening another still left
 * ~120 MB), and which goes with the child.
 */
async function initialiseApart(options: PGliteOptions): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = 'require(process.argv[1]).PGlite.create(JSON.parse(process.argv[2])).then((db) => db.close())';
  await promisify(execFile)(process.execPath, ['-e', script, entry, JSON.stringify(options)]).catch((err: { stderr?: string }) => {
    throw new Error(`the embedded database could not be created in ${options.dataDir}: ${err.stderr ?? String(err)}`);
  });
}

export async function openPglite(dataDir: string | undefined, sharedBuffersMb = DEFAULT_EMBEDDED_SHARED_BUFFERS_MB): Promise<Database> {
  // PostgreSQL's server defaults (128 MB of shared buffers, 64 MB for maintenance) size the process's
  // memory for good. At 10,000 patients 16 MB of buffers served reads and searches as fast as 128; the
  // default of 32 leaves the idle platform ~100 MB smaller (docs/performance.md).
  const options: PGliteOptions = { ...(dataDir ? { dataDir } : {}), postgresqlconf: [`shared_buffers=${sharedBuffersMb}MB`, 'maintenance_work_mem=16MB'] };
  if (dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'))) await initialiseApart(options);
  const db = await PGlite.create(options);
  const query = async <Row>(target: Pick<PGlite, 'query'>, text: string, params?: readonly unknown[]): Promise<Row[]> =>
    (await target.query<Row>(text, params as unknown[] | undefined)).rows;
  return {
    dialect: 'pglite',
    query: (text, params) => query(db, text, params),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const q: Queryable = { query: (text, params) => query(tx, text, params) };
        return fn(q);
      }),
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}
