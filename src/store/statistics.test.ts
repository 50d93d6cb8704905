// Planner statistics on the real databases: a tenant that grows on its own has its partitions analysed
// long before the whole store has grown enough for a full ANALYZE.
import { describe, expect, it } from 'vitest';
import { suiteDatabase, testDatabases } from '../../test/support/databases.js';
import { createTenantPartitions, partitionName } from './partitions.js';
import { StatisticsKeeper } from './statistics.js';

describe.each(await testDatabases())('statistics keeper on $name', (database) => {
  const suiteDb = suiteDatabase(database, { migrated: true });

  it("analyses a tenant's partitions once that tenant alone has grown", async () => {
    const db = suiteDb();
    await createTenantPartitions(db, 'growing');
    const keeper = new StatisticsKeeper(db, { minWrites: 500, growthFraction: 0.2, minTenantWrites: 100, tenantGrowthFraction: 1 });
    // At start the tenant is empty, and analysed so.
    await keeper.analyze();
    const analysedRows = async (): Promise<number> =>
      Number((await db.query<{ n: string }>('SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = $1', [partitionName('resource', 'growing')]))[0].n);
    expect(await analysedRows()).toBeLessThanOrEqual(0);
    await db.query(
      `INSERT INTO resource (tenant, type, id, version, last_updated, deleted, content)
       SELECT 'growing', 'Patient', 'p' || n, 1, now(), false, '{"resourceType":"Patient"}' FROM generate_series(1, 150) AS n`,
    );
    // 150 writes: under the whole store's threshold (500), past the tenant's own (100).
    keeper.noteWrites('growing', 150);
    await keeper.close();
    expect(await analysedRows()).toBe(150);
  });
});
