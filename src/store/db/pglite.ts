// Embedded PostgreSQL (PGlite, WASM) persisted to a data directory, or in memory for tests.
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable } from './driver.js';

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const db = await PGlite.create(dataDir ? { dataDir } : {});
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
