// An audit block's search keys are stored as 64-bit hashes (the first eight bytes of each key's SHA-256,
// as a signed bigint) in a GIN index over bigint[], not as text: each key an append adds to the index
// costs the database about a quarter as much, the index is less than half the size, and a block's keys
// no longer pass PostgreSQL's 2 kB threshold for compressing values (decision 0025). A search looks up the hashes of the
// records it asks about and keeps only the events that name them, so a hash shared by two keys costs
// at most a block read in vain; verification compares the hashes with those of the block's events.
export const name = 'audit-key-hashes';

export const sql = `
ALTER TABLE audit_block ADD COLUMN key_hashes bigint[];
ALTER TABLE audit_block DISABLE TRIGGER audit_block_append_only;
UPDATE audit_block SET key_hashes = ARRAY(
  SELECT ('x' || left(encode(sha256(convert_to(k, 'UTF8')), 'hex'), 16))::bit(64)::bigint FROM unnest(keys) k);
ALTER TABLE audit_block ENABLE TRIGGER audit_block_append_only;
ALTER TABLE audit_block ALTER COLUMN key_hashes SET NOT NULL;
DROP INDEX audit_block_keys;
ALTER TABLE audit_block DROP COLUMN keys;
CREATE INDEX audit_block_key_hashes ON audit_block USING gin (key_hashes) WITH (gin_pending_list_limit = 128)
`;
