// Access control's records: the policy document (every version kept; the newest is in force), break-glass
// grants awaiting review, and the active services organisations provide to the people in tenants'
// records (one of the two legitimate relationships; the other is holding a registered record).
export const name = 'access-policy';

export const sql = `
CREATE TABLE access_policy (
  version     integer PRIMARY KEY,
  document    jsonb NOT NULL,
  author      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE break_glass (
  id              text PRIMARY KEY,
  client_id       text NOT NULL,
  tenant          text,
  roles           text[] NOT NULL,
  person_id       text NOT NULL,
  reason          text NOT NULL,
  started_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  reviewed_at     timestamptz,
  reviewed_by     text,
  review_outcome  text CHECK (review_outcome IN ('appropriate', 'inappropriate')),
  review_note     text
);
CREATE INDEX break_glass_active ON break_glass (client_id, person_id, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass (started_at) WHERE reviewed_at IS NULL;

CREATE TABLE care_service (
  tenant        text NOT NULL,
  episode_id    text NOT NULL,
  patient_id    text NOT NULL,
  organisation  text NOT NULL,
  period_end    timestamptz,
  PRIMARY KEY (tenant, episode_id)
);
CREATE INDEX care_service_organisation ON care_service (organisation);
`;
