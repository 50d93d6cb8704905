// The embedded database's memory floor is set by its shared buffers, which the platform keeps small.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDED_SHARED_BUFFERS_MB, openPglite } from './pglite.js';

describe('embedded database', () => {
  it('runs with the configured shared buffers, and a small default', async () => {
    for (const [given, expected] of [[undefined, `${DEFAULT_EMBEDDED_SHARED_BUFFERS_MB}MB`], [16, '16MB']] as const) {
      const db = await openPglite(undefined, given);
      try {
        expect(await db.query('SELECT current_setting($1) AS v', ['shared_buffers'])).toEqual([{ v: expected }]);
      } finally {
        await db.close();
      }
    }
    expect(DEFAULT_EMBEDDED_SHARED_BUFFERS_MB).toBeLessThan(128);
  });
});
