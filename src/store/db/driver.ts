// The database seam (Kysely's Driver idea): the store speaks SQL text + parameters to one of two
// drivers, PGlite (embedded, the default) or a PostgreSQL server. Nothing above store/ sees either.

export interface QueryOptions {
  /**
   * Plan with the actual parameter values every time instead of reusing a cached generic plan.
   * Searches need this: a generic plan cannot use a prefix or range on an index well.
   */
  freshPlan?: boolean;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
}

export interface Database extends Queryable {
  readonly dialect: 'pglite' | 'postgres';
  /** Runs fn in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
