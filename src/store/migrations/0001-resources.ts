// Resources, their append-only history, and the search index tables (one per search-parameter type).
// Every table leads with `tenant`, the partition key (a Citus distribution column candidate).
export const name = 'resources';

export const sql = `
CREATE TABLE resource (
  tenant        text        NOT NULL,
  type          text        NOT NULL,
  id            text        NOT NULL,
  version       integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL DEFAULT false,
  content       text        NOT NULL,
  PRIMARY KEY (tenant, type, id)
);
CREATE INDEX resource_type_updated ON resource (tenant, type, last_updated);

CREATE TABLE resource_history (
  seq           bigserial,
  tenant        text        NOT NULL,
  type          text        NOT NULL,
  id            text        NOT NULL,
  version       integer     NOT NULL,
  last_updated  timestamptz NOT NULL,
  deleted       boolean     NOT NULL,
  method        text        NOT NULL,
  content       text        NOT NULL,
  PRIMARY KEY (tenant, type, id, version)
);
CREATE INDEX resource_history_tenant_seq ON resource_history (tenant, seq);
CREATE INDEX resource_history_type_seq ON resource_history (tenant, type, seq);

CREATE TABLE sp_string (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  norm text COLLATE "C" NOT NULL, exact text NOT NULL
);
CREATE INDEX sp_string_value ON sp_string (tenant, rtype, code, norm);
CREATE INDEX sp_string_owner ON sp_string (tenant, rtype, rid);

CREATE TABLE sp_token (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  system text, value text, display text COLLATE "C"
);
CREATE INDEX sp_token_value ON sp_token (tenant, rtype, code, value, system);
CREATE INDEX sp_token_owner ON sp_token (tenant, rtype, rid);

CREATE TABLE sp_date (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  lo bigint NOT NULL, hi bigint NOT NULL
);
CREATE INDEX sp_date_lo ON sp_date (tenant, rtype, code, lo);
CREATE INDEX sp_date_hi ON sp_date (tenant, rtype, code, hi);
CREATE INDEX sp_date_owner ON sp_date (tenant, rtype, rid);

CREATE TABLE sp_number (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  value numeric NOT NULL
);
CREATE INDEX sp_number_value ON sp_number (tenant, rtype, code, value);
CREATE INDEX sp_number_owner ON sp_number (tenant, rtype, rid);

CREATE TABLE sp_quantity (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  value numeric NOT NULL, system text, unit text
);
CREATE INDEX sp_quantity_value ON sp_quantity (tenant, rtype, code, value);
CREATE INDEX sp_quantity_owner ON sp_quantity (tenant, rtype, rid);

CREATE TABLE sp_uri (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  value text COLLATE "C" NOT NULL
);
CREATE INDEX sp_uri_value ON sp_uri (tenant, rtype, code, value);
CREATE INDEX sp_uri_owner ON sp_uri (tenant, rtype, rid);

CREATE TABLE sp_reference (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  target_type text, target_id text, url text
);
CREATE INDEX sp_reference_target ON sp_reference (tenant, target_type, target_id, code, rtype);
CREATE INDEX sp_reference_url ON sp_reference (tenant, rtype, code, url);
CREATE INDEX sp_reference_owner ON sp_reference (tenant, rtype, rid);

CREATE TABLE sp_composite (
  tenant text NOT NULL, rtype text NOT NULL, rid text NOT NULL, code text NOT NULL,
  parts jsonb NOT NULL
);
CREATE INDEX sp_composite_code ON sp_composite (tenant, rtype, code);
CREATE INDEX sp_composite_owner ON sp_composite (tenant, rtype, rid);
`;
