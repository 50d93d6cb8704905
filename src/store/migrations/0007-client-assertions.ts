// SMART Backend Services: the `jti` of every client assertion accepted, until it expires, so that an
// assertion cannot be replayed.
export const name = 'client-assertions';

export const sql = `
CREATE TABLE oauth_assertion (
  client_id   text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_assertion_expiry ON oauth_assertion (expires_at)
`;
