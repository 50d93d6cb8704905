// Tenants (one data provision layer each), OAuth clients (secrets hashed) and token-signing keys.
export const name = 'tenants-and-clients';

export const sql = `
CREATE TABLE tenant (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL,
  ods_code    text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oauth_client (
  client_id    text PRIMARY KEY,
  tenant       text REFERENCES tenant (id),
  name         text NOT NULL,
  secret_hash  text,
  jwks         jsonb,
  roles        text[] NOT NULL,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled     boolean NOT NULL DEFAULT false
);

CREATE TABLE signing_key (
  kid          text PRIMARY KEY,
  algorithm    text NOT NULL,
  private_jwk  jsonb NOT NULL,
  public_jwk   jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

CREATE TABLE platform_secret (
  name   text PRIMARY KEY,
  value  text NOT NULL
);
`;
