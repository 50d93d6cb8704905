// How far the central platform has digested each stream of changes that reaches it from outside its
// database (NATS JetStream, from DPLs with their own store): written in the transaction that applies a
// batch, so a change redelivered after a crash between commit and acknowledgement is recognised and
// not applied twice.
export const name = 'feed-position';

export const sql = `
CREATE TABLE feed_position (
  source text PRIMARY KEY,
  position bigint NOT NULL
)
`;
