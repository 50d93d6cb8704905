// Every tenant's rows live in their own partition of each resource, history and index table (LIST
// partitions on `tenant`), so one tenant's data is physically apart from another's: a statement bound
// to tenant A is planned against A's partitions only. A partition is created with its tenant; rows of a
// tenant without one (none, in practice) fall in a default partition.
import { createHash } from 'node:crypto';
import type { Queryable } from './db/driver.js';

export const PARTITIONED_TABLES = [
  'resource',
  'resource_history',
  'sp_string',
  'sp_token',
  'sp_date',
  'sp_number',
  'sp_quantity',
  'sp_uri',
  'sp_reference',
  'sp_composite',
] as const;

/** Partition names are bounded (tenant ids are up to 63 characters): a digest of the id stands in. */
export const partitionName = (table: string, tenant: string): string => `${table}_t_${createHash('sha256').update(tenant).digest('hex').slice(0, 16)}`;

/** A SQL string literal (DDL takes no parameters); tenant ids are validated, quoting makes it safe regardless. */
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** Creates the tenant's partitions of every partitioned table (idempotent). */
export async function createTenantPartitions(q: Queryable, tenant: string): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    await q.query(`CREATE TABLE IF NOT EXISTS ${partitionName(table, tenant)} PARTITION OF ${table} FOR VALUES IN (${literal(tenant)})`);
  }
}

/**
 * Turns the unpartitioned tables of migration 1 into partitioned ones, with a partition per existing
 * tenant and the rows moved across (migration 4). Indexes and defaults come along with LIKE.
 */
export async function partitionByTenant(q: Queryable): Promise<void> {
  for (const table of PARTITIONED_TABLES) {
    await q.query(`ALTER TABLE ${table} RENAME TO ${table}_unpartitioned`);
    await q.query(`CREATE TABLE ${table} (LIKE ${table}_unpartitioned INCLUDING ALL) PARTITION BY LIST (tenant)`);
    await q.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
  }
  // The history sequence belongs to the old table's column: hand it to the new one before the old goes.
  await q.query('ALTER SEQUENCE resource_history_seq_seq OWNED BY resource_history.seq');
  const tenants = await q.query<{ id: string }>('SELECT id FROM tenant');
  for (const { id } of tenants) await createTenantPartitions(q, id);
  for (const table of PARTITIONED_TABLES) {
    await q.query(`INSERT INTO ${table} SELECT * FROM ${table}_unpartitioned`);
    await q.query(`DROP TABLE ${table}_unpartitioned`);
  }
}
