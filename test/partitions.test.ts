// Tenant partitions: upgrading a database that already holds data moves every row into its tenant's
// partition, and a tenant created later gets its own; nothing stays in the default partition.
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate, platform } from '../src/store/index.js';
import type { Database } from '../src/store/index.js';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { suiteDatabase, testDatabases } from './support/databases.js';

describe.each(await testDatabases())('tenant partitions on $name', (database) => {
  const suiteDb = suiteDatabase(database, { migrated: false });
  let db: Database;
  beforeAll(() => void (db = suiteDb()));

  const partitionOf = async (table: string, tenant: string): Promise<string[]> =>
    (await db.query<{ p: string }>(`SELECT DISTINCT tableoid::regclass::text AS p FROM ${table} WHERE tenant = $1`, [tenant])).map((r) => r.p);

  it('moves existing rows into per-tenant partitions on upgrade, and partitions new tenants', async () => {
    await migrate(db, MIGRATIONS.filter((m) => m.version < 4));
    await db.query(`INSERT INTO tenant (id, name, kind) VALUES ('alpha', 'Alpha', 'care-home'), ('beta', 'Beta', 'care-home')`);
    for (const tenant of ['alpha', 'beta']) {
      await db.query(`INSERT INTO resource (tenant, type, id, version, last_updated, content) VALUES ($1, 'Patient', 'p1', 1, now(), '{}')`, [tenant]);
      await db.query(`INSERT INTO resource_history (tenant, type, id, version, last_updated, deleted, method, content) VALUES ($1, 'Patient', 'p1', 1, now(), false, 'POST', '{}')`, [tenant]);
      await db.query(`INSERT INTO sp_token (tenant, rtype, rid, code, system, value) VALUES ($1, 'Patient', 'p1', 'identifier', 'urn:x', '1')`, [tenant]);
    }
    expect(await migrate(db, MIGRATIONS.filter((m) => m.version <= 4))).toEqual([4]);

    const alpha = await partitionOf('resource', 'alpha');
    const beta = await partitionOf('resource', 'beta');
    expect(alpha).toHaveLength(1);
    expect(alpha[0]).toMatch(/^resource_t_[0-9a-f]{16}$/);
    expect(beta[0]).not.toBe(alpha[0]);
    expect((await partitionOf('sp_token', 'alpha'))[0]).toMatch(/^sp_token_t_/);
    expect((await partitionOf('resource_history', 'beta'))[0]).toMatch(/^resource_history_t_/);
    // The history sequence survived the move.
    await db.query(`INSERT INTO resource_history (tenant, type, id, version, last_updated, deleted, method, content) VALUES ('alpha', 'Patient', 'p1', 2, now(), false, 'PUT', '{}')`);
    const seqs = (await db.query<{ seq: string }>(`SELECT seq FROM resource_history WHERE tenant = 'alpha' ORDER BY version`)).map((r) => Number(r.seq));
    expect(seqs[1]).toBeGreaterThan(seqs[0]);

    await platform.upsertTenant(db, { id: 'gamma', name: 'Gamma', kind: 'gp-practice' });
    await db.query(`INSERT INTO resource (tenant, type, id, version, last_updated, content) VALUES ('gamma', 'Patient', 'p1', 1, now(), '{}')`);
    expect((await partitionOf('resource', 'gamma'))[0]).toMatch(/^resource_t_/);
    expect(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM resource_default'))[0].n)).toBe(0);
  });
});
