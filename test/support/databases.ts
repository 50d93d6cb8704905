// The databases every store and end-to-end suite runs on (Kysely's DIALECTS idea): embedded PGlite
// and a real PostgreSQL server. Each PostgreSQL suite gets its own uniquely named database, dropped after.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { migrate, openDatabase } from '../../src/store/index.js';
import type { Database } from '../../src/store/index.js';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** Returns the DATABASE_URL to use (undefined = embedded) and a cleanup function. */
  provision(): Promise<{ databaseUrl?: string; drop(): Promise<void> }>;
}

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresReachable(): Promise<boolean> {
  const sql = postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export const pglite: TestDatabase = {
  name: 'pglite',
  provision: async () => ({ databaseUrl: undefined, drop: async () => undefined }),
};

const server: TestDatabase = {
  name: 'postgres',
  async provision() {
    const dbName = `scip_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${dbName}`;
    return {
      databaseUrl: url.toString(),
      async drop() {
        const a = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
        await a.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await a.end();
      },
    };
  },
};

/**
 * PGlite always; PostgreSQL when reachable. In CI (CI=true) an unreachable server is an error,
 * so a green run always means both backends passed.
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  if (process.env.SCIP_TEST_DB === 'pglite') return [pglite];
  if (process.env.SCIP_TEST_DB === 'postgres') return [server];
  if (await postgresReachable()) return [pglite, server];
  if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL}; CI must test both backends`);
  console.warn(`[tests] PostgreSQL not reachable at ${ADMIN_URL}: running the PGlite backend only`);
  return [pglite];
}

export interface ProcessEnvironment {
  /** Environment for a platform or `scip` process: SCIP_DATA_DIR, and DATABASE_URL on a server. */
  env: Record<string, string>;
  dataDir: string;
  databaseUrl?: string;
  /** Drops the database and removes the data directory. */
  cleanup(): Promise<void>;
}

/** A fresh database and data directory for tests that start real processes. */
export async function provisionProcessEnvironment(database: TestDatabase, prefix: string): Promise<ProcessEnvironment> {
  const { databaseUrl, drop } = await database.provision();
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  return {
    env: { SCIP_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    dataDir,
    databaseUrl,
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      await drop();
    },
  };
}

/**
 * A suite's own database, opened before its tests (and migrated, unless the suite migrates it itself)
 * and dropped after them. Returns a getter: the database exists only once the suite has started.
 */
export function suiteDatabase(database: TestDatabase, options: { migrated: boolean }): () => Database {
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const provisioned = await database.provision();
    drop = provisioned.drop;
    db = await openDatabase({ databaseUrl: provisioned.databaseUrl });
    if (options.migrated) await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });
  return () => {
    if (!db) throw new Error('the suite database is opened in beforeAll');
    return db;
  };
}
