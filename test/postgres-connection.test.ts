// The platform's sessions on a PostgreSQL server: a statement running past SCIP_STATEMENT_TIMEOUT_MS is
// cancelled and becomes a clear FhirError, and nothing is JIT-compiled.
import { describe, expect, it } from 'vitest';
import { FhirError } from '../src/fhir/errors.js';
import { openDatabase } from '../src/store/index.js';
import { translated } from '../src/store/errors.js';
import { testDatabases } from './support/databases.js';

// PostgreSQL servers only: PGlite cannot interrupt a running statement (no signals in WASM).
const servers = (await testDatabases()).filter((d) => d.name === 'postgres');

describe.skipIf(servers.length === 0).each(servers)('PostgreSQL sessions on $name', (database) => {
  it('cancels a statement that runs too long and reports too-costly', async () => {
    const { databaseUrl, drop } = await database.provision();
    const db = await openDatabase({ databaseUrl, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      const error = await translated(() => db.query('SELECT pg_sleep(3)')).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(FhirError);
      expect((error as FhirError).category).toBe('too-costly');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(await db.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await db.close();
      await drop();
    }
  });

  it('plans without JIT compilation', async () => {
    const { databaseUrl, drop } = await database.provision();
    const db = await openDatabase({ databaseUrl });
    try {
      expect(await db.query('SHOW jit')).toEqual([{ jit: 'off' }]);
      expect(await db.transaction((tx) => tx.query('SHOW jit'))).toEqual([{ jit: 'off' }]);
    } finally {
      await db.close();
      await drop();
    }
  });
});
