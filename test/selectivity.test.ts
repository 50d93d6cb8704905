// The search compiler's notion of a common value comes from the planner's statistics of the partitioned
// index tables, on both databases: after an ANALYZE, a value most rows carry is known to be common (and
// is then checked per row), a rare one is not.
import { describe, expect, it } from 'vitest';
import { StatisticsKeeper } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';

describe.each(await testDatabases())('value frequencies on $name', (database) => {
  const t = suitePlatform(database);

  it('knows a value most index rows carry, and not a rare one', async () => {
    const entry = Array.from({ length: 200 }, (_, i) => ({
      resource: { resourceType: 'Patient', gender: i === 0 ? 'female' : 'male', name: [{ family: `Frequency${i}` }] },
      request: { method: 'POST', url: 'Patient' },
    }));
    expect((await t.call('POST', '/tenants/sunrise-care/fhir', { body: { resourceType: 'Bundle', type: 'transaction', entry } })).status).toBe(200);
    const statistics = new StatisticsKeeper(t.platform.db);
    await statistics.analyze();
    expect(statistics.frequencies.commonRows('sp_token', 'male')).toBeGreaterThan(100);
    expect(statistics.frequencies.commonRows('sp_string', 'frequency7')).toBe(0);
    await statistics.close();
  });
});
