// Storage of the central platform's federation records: the change outbox every tenant write fills,
// registration requests, and the settlements waiting to go back to DPLs with their own store. (Person
// links are identity.ts's; what a tenant holds about a Patient, for the record locator, is read in
// compartment.ts.)
import type { HeldKind } from './compartment.js';
import type { Queryable } from './db/driver.js';

export interface Change {
  seq: string;
  tenant: string;
  type: string;
  id: string;
  version: number;
  deleted: boolean;
  /**
   * The JSON text of what the change is about: the version written, or for a deletion the version it
   * deleted (read with the change, saving the feed a round trip).
   */
  content?: string;
  /**
   * The Patients the change is about, each with what its tenant now holds about them: set when the
   * change comes from a DPL with its own store (the central platform cannot read that store); otherwise
   * read from the change and the shared store.
   */
  patients?: Record<string, HeldKind[]>;
}

export type RegistrationStatus = 'pending' | 'registered' | 'failed';

/** How a registration ended. */
export type RegistrationOutcome = { status: 'registered'; personId: string } | { status: 'failed'; reason: string; diagnostics: string };

/** How a tenant's registration requests for a Patient ended, up to a version. */
export interface Settlement {
  tenant: string;
  subjectOfCareId: string;
  upToVersion: number;
  outcome: RegistrationOutcome;
}

/** A settlement in the outbox, waiting to be relayed. */
export interface PendingSettlement extends Settlement {
  seq: string;
}

export interface Registration {
  id: string;
  tenant: string;
  subjectOfCareId: string;
  patientVersion: number;
  status: RegistrationStatus;
  reason?: string;
  diagnostics?: string;
  personId?: string;
  timestamp: string;
}

const REGISTRATION_COLUMNS = `id, tenant, subject_of_care_id, patient_version, status, reason, diagnostics, person_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts`;

interface RegistrationRow {
  id: string;
  tenant: string;
  subject_of_care_id: string;
  patient_version: number;
  status: RegistrationStatus;
  reason: string | null;
  diagnostics: string | null;
  person_id: string | null;
  ts: string;
}

function toRegistration(r: RegistrationRow): Registration {
  return {
    id: r.id,
    tenant: r.tenant,
    subjectOfCareId: r.subject_of_care_id,
    patientVersion: Number(r.patient_version),
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.diagnostics !== null ? { diagnostics: r.diagnostics } : {}),
    ...(r.person_id !== null ? { personId: r.person_id } : {}),
    timestamp: r.ts,
  };
}

export class FederationRecords {
  constructor(private readonly q: Queryable) {}

  /**
   * Takes the oldest changes of one lane nobody else is processing (at most `limit`, in order),
   * removing them from the outbox: inside a transaction, so a failure puts them back. A resource's
   * versions always fall in the same lane (`lane` of `lanes`), so lanes may run in parallel. `tenants`
   * limits it to the changes of those tenants (a DPL relaying its own).
   */
  async takeChanges(limit: number, lane = 0, lanes = 1, tenants?: readonly string[]): Promise<Change[]> {
    const rows = await this.q.query<Omit<Change, 'content'> & { seq: string | number; content: string | null }>(
      `WITH taken AS (
         DELETE FROM change_outbox WHERE seq IN (
           SELECT seq FROM change_outbox WHERE mod(abs(hashtext(tenant || '/' || type || '/' || id)), $2) = $3
             AND ($4::text[] IS NULL OR tenant = ANY($4::text[]))
           ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING seq, tenant, type, id, version, deleted)
       SELECT t.seq, t.tenant, t.type, t.id, t.version, t.deleted, h.content FROM taken t
       LEFT JOIN resource_history h ON h.tenant = t.tenant AND h.type = t.type AND h.id = t.id
         AND h.version = CASE WHEN t.deleted THEN t.version - 1 ELSE t.version END
       ORDER BY t.seq`,
      [limit, lanes, lane, tenants ?? null],
    );
    return rows.map(({ content, ...r }) => ({ ...r, seq: String(r.seq), version: Number(r.version), ...(content !== null ? { content } : {}) }));
  }

  /** Changes written and not yet digested: how far the change feed is behind. */
  async backlog(): Promise<number> {
    return Number((await this.q.query<{ n: string | number }>('SELECT count(*) AS n FROM change_outbox'))[0].n);
  }

  async discardChange(seq: string): Promise<void> {
    await this.q.query('DELETE FROM change_outbox WHERE seq = $1', [seq]);
  }

  /** The last position of an outside change stream that has been applied here (0: none yet). */
  async feedPosition(source: string): Promise<number> {
    const rows = await this.q.query<{ position: string | number }>('SELECT position FROM feed_position WHERE source = $1', [source]);
    return rows[0] ? Number(rows[0].position) : 0;
  }

  async setFeedPosition(source: string, position: number): Promise<void> {
    await this.q.query('INSERT INTO feed_position (source, position) VALUES ($1, $2) ON CONFLICT (source) DO UPDATE SET position = EXCLUDED.position', [source, position]);
  }

  async addRegistration(r: Omit<Registration, 'timestamp' | 'status'>): Promise<Registration> {
    const rows = await this.q.query<RegistrationRow>(
      `INSERT INTO registration (id, tenant, subject_of_care_id, patient_version, status) VALUES ($1, $2, $3, $4, 'pending') RETURNING ${REGISTRATION_COLUMNS}`,
      [r.id, r.tenant, r.subjectOfCareId, r.patientVersion],
    );
    return toRegistration(rows[0]);
  }

  async registration(tenant: string, id: string): Promise<Registration | undefined> {
    const rows = await this.q.query<RegistrationRow>(`SELECT ${REGISTRATION_COLUMNS} FROM registration WHERE tenant = $1 AND id = $2`, [tenant, id]);
    return rows[0] ? toRegistration(rows[0]) : undefined;
  }

  /** Settles the pending registrations of subjects up to the Patient version that has been processed (each subject once). */
  async settleRegistrations(settlements: readonly Settlement[]): Promise<void> {
    if (!settlements.length) return;
    await this.q.query(
      `UPDATE registration r SET status = s.status, person_id = s.person_id, reason = s.reason, diagnostics = s.diagnostics, updated_at = now()
       FROM json_to_recordset($1::text::json) AS s(tenant text, subject text, up_to int, status text, person_id text, reason text, diagnostics text)
       WHERE r.tenant = s.tenant AND r.subject_of_care_id = s.subject AND r.status = 'pending' AND r.patient_version <= s.up_to`,
      [
        JSON.stringify(
          settlements.map(({ tenant, subjectOfCareId, upToVersion, outcome }) => ({
            tenant,
            subject: subjectOfCareId,
            up_to: upToVersion,
            status: outcome.status,
            person_id: outcome.status === 'registered' ? outcome.personId : null,
            reason: outcome.status === 'failed' ? outcome.reason : null,
            diagnostics: outcome.status === 'failed' ? outcome.diagnostics : null,
          })),
        ),
      ],
    );
  }

  /** Queues settlements for DPLs with their own store, in order, to be relayed once this transaction commits. */
  async queueSettlements(settlements: readonly Settlement[]): Promise<void> {
    if (!settlements.length) return;
    await this.q.query(
      `INSERT INTO settlement_outbox (tenant, subject_of_care_id, up_to_version, outcome)
       SELECT s.tenant, s.subject, s.up_to, s.outcome FROM ROWS FROM (json_to_recordset($1::text::json) AS (tenant text, subject text, up_to int, outcome text)) WITH ORDINALITY AS s(tenant, subject, up_to, outcome, n) ORDER BY n`,
      [JSON.stringify(settlements.map((s) => ({ tenant: s.tenant, subject: s.subjectOfCareId, up_to: s.upToVersion, outcome: JSON.stringify(s.outcome) })))],
    );
  }

  /** Takes the oldest queued settlements nobody else is relaying, in order; inside a transaction, so a failure puts them back. */
  async takeSettlements(limit: number): Promise<PendingSettlement[]> {
    const rows = await this.q.query<{ seq: string | number; tenant: string; subject_of_care_id: string; up_to_version: number; outcome: string }>(
      `WITH taken AS (
         DELETE FROM settlement_outbox WHERE seq IN (SELECT seq FROM settlement_outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING seq, tenant, subject_of_care_id, up_to_version, outcome)
       SELECT * FROM taken ORDER BY seq`,
      [limit],
    );
    return rows.map((r) => ({ seq: String(r.seq), tenant: r.tenant, subjectOfCareId: r.subject_of_care_id, upToVersion: Number(r.up_to_version), outcome: JSON.parse(r.outcome) as RegistrationOutcome }));
  }

  async discardSettlement(seq: string): Promise<void> {
    await this.q.query('DELETE FROM settlement_outbox WHERE seq = $1', [seq]);
  }

}
