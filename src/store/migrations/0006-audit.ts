// The audit trail: one row per audited request, append-only (a trigger refuses UPDATE and DELETE) and
// hash-chained. Each platform process appends to a chain of its own (so an append is one statement,
// never waiting on another process's lock); each row carries its predecessor's hash, and each chain's
// head row says where it ends, so a missing tail is noticed too. audit_entity indexes the records each
// event is about.
export const name = 'audit';

export const sql = `
CREATE TABLE audit_chain (
  chain    text PRIMARY KEY,
  started  timestamptz NOT NULL DEFAULT now(),
  seq      bigint NOT NULL,
  hash     text NOT NULL
);

CREATE TABLE audit_event (
  chain      text NOT NULL,
  seq        bigint NOT NULL,
  id         text NOT NULL,
  recorded   text NOT NULL,
  tenant     text NOT NULL,
  agent      text NOT NULL,
  content    text NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL,
  PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_event_recorded ON audit_event (recorded);
CREATE INDEX audit_event_agent ON audit_event (agent, recorded);

CREATE TABLE audit_entity (
  reference  text NOT NULL,
  chain      text NOT NULL,
  seq        bigint NOT NULL,
  PRIMARY KEY (reference, chain, seq)
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_entity_append_only BEFORE UPDATE OR DELETE ON audit_entity FOR EACH ROW EXECUTE FUNCTION audit_append_only()
`;
