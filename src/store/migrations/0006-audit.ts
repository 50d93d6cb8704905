// The audit trail: one row per audited request, append-only (a trigger refuses UPDATE and DELETE) and
// hash-chained (each row carries its predecessor's hash; the chain head says where the chain ends, so a
// missing tail is noticed too). audit_entity indexes the records each event is about.
export const name = 'audit';

export const sql = `
CREATE TABLE audit_event (
  seq        bigint PRIMARY KEY,
  id         text NOT NULL UNIQUE,
  recorded   text NOT NULL,
  tenant     text NOT NULL,
  agent      text NOT NULL,
  content    text NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_event_agent ON audit_event (agent, seq);

CREATE TABLE audit_entity (
  reference  text NOT NULL,
  seq        bigint NOT NULL,
  PRIMARY KEY (reference, seq)
);

CREATE TABLE audit_chain (
  id    integer PRIMARY KEY CHECK (id = 1),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_entity_append_only BEFORE UPDATE OR DELETE ON audit_entity FOR EACH ROW EXECUTE FUNCTION audit_append_only()
`;
