// Chooses the driver from configuration: DATABASE_URL means a server, otherwise the embedded database.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './driver.js';
import { lockDataDir } from './lock.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface DatabaseConfig {
  databaseUrl?: string;
  /** Directory for the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string;
  maxConnections?: number;
  /**
   * Cancels any statement running longer (PostgreSQL statement_timeout); 0 or undefined = none.
   * PGlite cannot interrupt a running statement (no signals in WASM), so it applies to servers only.
   */
  statementTimeoutMs?: number;
  /** The embedded database's shared buffers (its memory floor); the driver's default when unset. */
  embeddedSharedBuffersMb?: number;
}

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres({ url: config.databaseUrl, maxConnections: config.maxConnections ?? 10, statementTimeoutMs: config.statementTimeoutMs });
  }
  if (config.dataDir === undefined) return openPglite(undefined, config.embeddedSharedBuffersMb);
  const dir = join(config.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const release = lockDataDir(config.dataDir);
  try {
    const db = await openPglite(dir, config.embeddedSharedBuffersMb);
    return {
      ...db,
      close: async () => {
        await db.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
