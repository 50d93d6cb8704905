// Keeps planner statistics current. PostgreSQL's autovacuum analyzes a server's tables eventually,
// but PGlite runs no autovacuum at all, and a freshly loaded table without statistics gets plans
// that scan instead of using the primary key. The store counts its writes and runs ANALYZE in the
// background whenever they grow past a fraction of what was there at the last ANALYZE — of the whole
// database, or of one tenant's partitions when that tenant alone has grown (a new tenant's first load:
// its partitions were analysed empty, or not at all, and the planner misjudged every lookup in them).
import type { Database } from './db/driver.js';
import { PARTITIONED_TABLES, partitionName } from './partitions.js';
import { ValueFrequencies } from './search/selectivity.js';

export interface StatisticsOptions {
  /** Writes that always justify a new ANALYZE. */
  minWrites: number;
  /** …or this fraction of the resources counted at the last ANALYZE, whichever is larger. */
  growthFraction: number;
  /** A tenant's writes that justify analysing its partitions… */
  minTenantWrites: number;
  /** …or this fraction of its resources at its last analysis, whichever is larger. */
  tenantGrowthFraction: number;
  onError?: (err: unknown) => void;
}

export class StatisticsKeeper {
  /** The common values of the index tables, as of the last ANALYZE: the search compiler's selectivity. */
  readonly frequencies = new ValueFrequencies();
  private writes = 0;
  private rowsAtLastAnalyze = 0;
  /** Per tenant: writes since its partitions were last analysed, and its resources then. */
  private readonly tenants = new Map<string, { writes: number; rowsAtLastAnalyze: number }>();
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly options: StatisticsOptions = { minWrites: 5000, growthFraction: 1, minTenantWrites: 100, tenantGrowthFraction: 1 },
  ) {}

  /** Analyzes now and waits (used at start, so the first queries are planned on real numbers). */
  async analyze(): Promise<void> {
    this.writes = 0;
    for (const counts of this.tenants.values()) counts.writes = 0;
    await this.db.query('ANALYZE');
    const rows = await this.db.query<{ n: string }>("SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = 'resource'");
    this.rowsAtLastAnalyze = Math.max(0, Number(rows[0]?.n ?? 0));
    await this.frequencies.load(this.db);
  }

  /** Records committed resource writes of a tenant; may start a background ANALYZE. */
  noteWrites(tenant: string, count: number): void {
    this.writes += count;
    const counts = this.tenants.get(tenant) ?? { writes: 0, rowsAtLastAnalyze: 0 };
    counts.writes += count;
    this.tenants.set(tenant, counts);
    if (this.running || this.closed) return;
    if (this.writes >= Math.max(this.options.minWrites, this.rowsAtLastAnalyze * this.options.growthFraction)) this.inBackground(this.analyze());
    else if (counts.writes >= Math.max(this.options.minTenantWrites, counts.rowsAtLastAnalyze * this.options.tenantGrowthFraction)) this.inBackground(this.analyzeTenant(tenant, counts));
  }

  private async analyzeTenant(tenant: string, counts: { writes: number; rowsAtLastAnalyze: number }): Promise<void> {
    counts.writes = 0;
    await this.db.query(`ANALYZE ${PARTITIONED_TABLES.map((table) => partitionName(table, tenant)).join(', ')}`);
    const rows = await this.db.query<{ n: string }>('SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = $1', [partitionName('resource', tenant)]);
    counts.rowsAtLastAnalyze = Math.max(0, Number(rows[0]?.n ?? 0));
  }

  private inBackground(work: Promise<void>): void {
    this.running = work
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
