// The audit trail in blocks: each write-behind batch becomes one row holding its events (a JSON array)
// instead of a row per event and a row per record it names. Per event the database then stores and
// logs the event's bytes, compressed with the block, and no heap row or index entries of its own
// (decision 0020). Searches find blocks by `keys` (a GIN index over the records and clients their events
// name) and by time, and read the events out of them. The hash chain is unchanged: each event still
// carries its predecessor's hash, computed over the same fields, so the events moved here from
// `audit_event` verify as they did.
import type { Queryable } from '../db/driver.js';

export const name = 'audit-blocks';

export const sql = `
CREATE TABLE audit_block (
  chain          text NOT NULL,
  first_seq      bigint NOT NULL,
  last_seq       bigint NOT NULL,
  recorded_from  text NOT NULL,
  recorded_to    text NOT NULL,
  keys           text[] NOT NULL,
  events         text NOT NULL,
  PRIMARY KEY (chain, first_seq)
);
CREATE INDEX audit_block_keys ON audit_block USING gin (keys);
CREATE INDEX audit_block_recorded ON audit_block (recorded_to);

WITH old_event AS (
  SELECT e.*, (e.seq - 1) / 100 AS block,
    coalesce((SELECT array_agg(x.reference ORDER BY x.reference) FROM audit_entity x WHERE x.chain = e.chain AND x.seq = e.seq), '{}') AS entities
  FROM audit_event e),
block_keys AS (
  SELECT chain, block, array_agg(DISTINCT k ORDER BY k) AS keys FROM (
    SELECT chain, block, 'agent:' || agent AS k FROM old_event
    UNION ALL SELECT chain, block, 'entity:' || unnest(entities) FROM old_event) k
  GROUP BY chain, block)
INSERT INTO audit_block (chain, first_seq, last_seq, recorded_from, recorded_to, keys, events)
SELECT old_event.chain, min(seq), max(seq), min(recorded), max(recorded), block_keys.keys,
  json_agg(json_build_object('seq', seq, 'id', id, 'recorded', recorded, 'tenant', tenant, 'agent', agent, 'content', content,
    'prevHash', prev_hash, 'hash', hash, 'entities', entities) ORDER BY seq)::text
FROM old_event JOIN block_keys USING (chain, block)
GROUP BY old_event.chain, old_event.block, block_keys.keys;

DROP TABLE audit_entity;
DROP TABLE audit_event;
CREATE TRIGGER audit_block_append_only BEFORE UPDATE OR DELETE ON audit_block FOR EACH ROW EXECUTE FUNCTION audit_append_only()
`;

/** lz4 where the server has it (PostgreSQL 14+ built with it): half the CPU of the default pglz here. */
export async function run(tx: Queryable): Promise<void> {
  const [server] = await tx.query<{ lz4: boolean }>(`SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`);
  if (server?.lz4) await tx.query('ALTER TABLE audit_block ALTER COLUMN events SET COMPRESSION lz4');
}
