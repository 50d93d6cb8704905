// A real PostgreSQL server through the `postgres` client (porsager): pooled, pipelined.
import postgres from 'postgres';
import type { Database, Queryable, QueryOptions } from './driver.js';

export interface PostgresOptions {
  url: string;
  maxConnections: number;
  statementTimeoutMs?: number;
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const sql = postgres(options.url, {
    max: options.maxConnections,
    onnotice: () => undefined,
    // No JIT compilation: statements over partitioned tables are costed high enough to trigger it, and
    // compiling took 190-620 ms for statements that run in under one (decision 0008).
    connection: { jit: 'off', ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}) },
    // Keep bigint and numeric as strings: the store converts deliberately where it needs numbers.
    types: {},
  });
  await sql`select 1`;
  const run = async <Row>(target: postgres.Sql | postgres.TransactionSql, text: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]> =>
    // postgres.js types its parameter list narrowly; our values are strings, numbers, booleans, null and arrays of them.
    (await target.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[], { prepare: !options?.freshPlan })) as unknown as Row[];
  return {
    dialect: 'postgres',
    query: (text, params, options) => run(sql, text, params, options),
    transaction: async (fn) =>
      (await sql.begin(async (tx) => {
        const q: Queryable = { query: (text, params, options) => run(tx, text, params, options) };
        return fn(q);
      })) as Awaited<ReturnType<typeof fn>>,
    close: () => sql.end({ timeout: 5 }),
  };
}
