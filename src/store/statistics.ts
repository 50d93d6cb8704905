// Keeps planner statistics current. PostgreSQL's autovacuum analyzes a server's tables eventually,
// but PGlite runs no autovacuum at all, and a freshly loaded table without statistics gets plans
// that scan instead of using the primary key. The store counts its writes and runs ANALYZE in the
// background whenever they grow past a fraction of what was there at the last ANALYZE.
import type { Database } from './db/driver.js';
import { ValueFrequencies } from './search/selectivity.js';

export interface StatisticsOptions {
  /** Writes that always justify a new ANALYZE. */
  minWrites: number;
  /** …or this fraction of the resources counted at the last ANALYZE, whichever is larger. */
  growthFraction: number;
  onError?: (err: unknown) => void;
}

export class StatisticsKeeper {
  /** The common values of the index tables, as of the last ANALYZE: the search compiler's selectivity. */
  readonly frequencies = new ValueFrequencies();
  private writes = 0;
  private rowsAtLastAnalyze = 0;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly options: StatisticsOptions = { minWrites: 500, growthFraction: 0.2 },
  ) {}

  /** Analyzes now and waits (used at start, so the first queries are planned on real numbers). */
  async analyze(): Promise<void> {
    this.writes = 0;
    await this.db.query('ANALYZE');
    const rows = await this.db.query<{ n: string }>("SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = 'resource'");
    this.rowsAtLastAnalyze = Math.max(0, Number(rows[0]?.n ?? 0));
    await this.frequencies.load(this.db);
  }

  /** Records committed resource writes; may start a background ANALYZE. */
  noteWrites(count: number): void {
    this.writes += count;
    if (this.running || this.closed) return;
    if (this.writes < Math.max(this.options.minWrites, this.rowsAtLastAnalyze * this.options.growthFraction)) return;
    this.running = this.analyze()
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => {
        this.running = undefined;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }
}
