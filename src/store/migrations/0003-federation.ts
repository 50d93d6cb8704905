// The central platform's view of the tenants: an outbox of every version written (digested after
// commit into registrations and the record locator), the person links of the person index, and
// registration requests with their status.
export const name = 'federation';

export const sql = `
CREATE TABLE change_outbox (
  seq      bigserial PRIMARY KEY,
  tenant   text NOT NULL,
  type     text NOT NULL,
  id       text NOT NULL,
  version  integer NOT NULL,
  deleted  boolean NOT NULL
);

CREATE TABLE person_link (
  tenant      text NOT NULL,
  patient_id  text NOT NULL,
  person_id   text NOT NULL,
  assurance   text NOT NULL,
  method      text NOT NULL,
  linked_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, patient_id)
);
CREATE INDEX person_link_person ON person_link (person_id);

CREATE TABLE registration (
  id                  text PRIMARY KEY,
  tenant              text NOT NULL REFERENCES tenant (id),
  subject_of_care_id  text NOT NULL,
  patient_version     integer NOT NULL,
  status              text NOT NULL CHECK (status IN ('pending', 'registered', 'failed')),
  reason              text,
  diagnostics         text,
  person_id           text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_pending ON registration (tenant, subject_of_care_id) WHERE status = 'pending';
`;
