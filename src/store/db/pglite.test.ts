// The embedded database's memory floor is set by its shared buffers, which the platform keeps small.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('creates a new data directory (in a child process) and keeps what is written in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scip-pglite-'));
    try {
      const first = await openPglite(join(dir, 'pgdata'));
      await first.query('CREATE TABLE kept (note text)');
      await first.query("INSERT INTO kept VALUES ('written')");
      await first.close();
      const again = await openPglite(join(dir, 'pgdata'));
      expect(await again.query('SELECT note FROM kept')).toEqual([{ note: 'written' }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
