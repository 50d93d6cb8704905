// Identity matching: the match index (each tenant Patient's demographics in normal form and the
// blocking keys it is filed under), how every person link was made and its history, review pairs,
// rejected pairs (never proposed again) and merges (what each moved, so that it can be undone).
export const name = 'identity';

export const sql = `
CREATE TABLE identity_record (
  tenant        text NOT NULL,
  patient_id    text NOT NULL,
  features      text NOT NULL,
  given         text,
  family        text,
  verified_nhs  text,
  PRIMARY KEY (tenant, patient_id)
);
CREATE INDEX identity_record_given ON identity_record (given);
CREATE INDEX identity_record_family ON identity_record (family);

CREATE TABLE identity_block (
  key         text NOT NULL,
  tenant      text NOT NULL,
  patient_id  text NOT NULL,
  PRIMARY KEY (key, tenant, patient_id)
);
CREATE INDEX identity_block_record ON identity_block (tenant, patient_id);

ALTER TABLE person_link ADD COLUMN score double precision, ADD COLUMN rule text, ADD COLUMN actor text;

CREATE TABLE person_link_event (
  seq                 bigserial PRIMARY KEY,
  at                  timestamptz NOT NULL DEFAULT now(),
  tenant              text NOT NULL,
  patient_id          text NOT NULL,
  person_id           text,
  previous_person_id  text,
  assurance           text,
  method              text NOT NULL,
  score               double precision,
  rule                text,
  actor               text NOT NULL
);
CREATE INDEX person_link_event_record ON person_link_event (tenant, patient_id, seq);

CREATE TABLE identity_review (
  record_a  text NOT NULL,
  record_b  text NOT NULL,
  task_id   text NOT NULL UNIQUE,
  status    text NOT NULL CHECK (status IN ('open', 'same-person', 'different-people', 'withdrawn')),
  PRIMARY KEY (record_a, record_b)
);

CREATE TABLE identity_merge (
  id             text PRIMARY KEY,
  survivor       text NOT NULL,
  merged         text NOT NULL,
  moved          text NOT NULL,
  merged_before  text NOT NULL,
  actor          text NOT NULL,
  reason         text,
  at             timestamptz NOT NULL DEFAULT now(),
  undone_at      timestamptz,
  undone_by      text
);
CREATE INDEX identity_merge_merged ON identity_merge (merged) WHERE undone_at IS NULL;
`;
