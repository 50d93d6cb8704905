// Embedded PostgreSQL (PGlite, WASM) persisted to a data directory, or in memory for tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './driver.js';

/** PGlite's PostgreSQL reserves its buffers inside a WebAssembly heap that never shrinks. */
export const DEFAULT_EMBEDDED_SHARED_BUFFERS_MB = 32;

export async function openPglite(dataDir: string | undefined, sharedBuffersMb = DEFAULT_EMBEDDED_SHARED_BUFFERS_MB): Promise<Database> {
  const fresh = dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'));
  // PostgreSQL's server defaults (128 MB of shared buffers, 64 MB for maintenance) size the process's
  // memory for good. At 10,000 patients 16 MB of buffers served reads and searches as fast as 128; the
  // default of 32 leaves the idle platform ~100 MB smaller (docs/performance.md).
  const options = { ...(dataDir ? { dataDir } : {}), postgresqlconf: [`shared_buffers=${sharedBuffersMb}MB`, 'maintenance_work_mem=16MB'] };
  let db = await PGlite.create(options);
  if (fresh) {
    // initdb runs inside the first instance and leaves ~400 MB of WASM memory behind it; a second
    // instance on the now-initialised directory starts at PGlite's normal footprint.
    await db.close();
    db = await PGlite.create(options);
  }
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
