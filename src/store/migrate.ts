// Applies pending migrations, one transaction each, under an advisory lock so that several
// processes starting against one PostgreSQL server do not race.
import type { Database } from './db/driver.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/index.js';

const MIGRATION_LOCK_KEY = 7_245_031;

/** `migrations` is the full list; a test of an upgrade passes the first few. */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migration')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const statement of splitStatements(m.sql ?? '')) await tx.query(statement);
      await m.run?.(tx);
      await tx.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/** Extended-protocol queries take one statement each; our migrations contain no `;` inside literals. */
function splitStatements(sql: string): string[] {
  return sql.split(/;\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}
