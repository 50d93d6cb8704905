// How registrations ended, waiting to go back to DPLs with their own store: the central platform writes
// a settlement in the transaction that registers the Patient, and relays it to JetStream after that
// commits (the transactional outbox again), so a DPL never hears of a registration that was rolled back,
// and never fails to hear of one that committed.
export const name = 'settlement-outbox';

export const sql = `
CREATE TABLE settlement_outbox (
  seq                 bigserial PRIMARY KEY,
  tenant              text NOT NULL,
  subject_of_care_id  text NOT NULL,
  up_to_version       integer NOT NULL,
  outcome             text NOT NULL
)
`;
