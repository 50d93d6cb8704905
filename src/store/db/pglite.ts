// Embedded PostgreSQL (PGlite, WASM) persisted to a data directory, or in memory for tests.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './driver.js';

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const fresh = dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'));
  let db = await PGlite.create(dataDir ? { dataDir } : {});
  if (fresh) {
    // initdb runs inside the first instance and leaves ~400 MB of WASM memory behind it; a second
    // instance on the now-initialised directory starts at PGlite's normal footprint.
    await db.close();
    db = await PGlite.create({ dataDir });
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
