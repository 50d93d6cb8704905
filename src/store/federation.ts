// Storage of the central platform's federation records: the change outbox every tenant write fills
// and registration requests. (Person links are identity.ts's; what a tenant holds about a Patient,
// for the record locator, is read in compartment.ts.)
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
}

export type RegistrationStatus = 'pending' | 'registered' | 'failed';

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
   * versions always fall in the same lane (`lane` of `lanes`), so lanes may run in parallel.
   */
  async takeChanges(limit: number, lane = 0, lanes = 1): Promise<Change[]> {
    const rows = await this.q.query<Omit<Change, 'content'> & { seq: string | number; content: string | null }>(
      `WITH taken AS (
         DELETE FROM change_outbox WHERE seq IN (
           SELECT seq FROM change_outbox WHERE mod(abs(hashtext(tenant || '/' || type || '/' || id)), $2) = $3
           ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING seq, tenant, type, id, version, deleted)
       SELECT t.seq, t.tenant, t.type, t.id, t.version, t.deleted, h.content FROM taken t
       LEFT JOIN resource_history h ON h.tenant = t.tenant AND h.type = t.type AND h.id = t.id
         AND h.version = CASE WHEN t.deleted THEN t.version - 1 ELSE t.version END
       ORDER BY t.seq`,
      [limit, lanes, lane],
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

  /** Settles the pending registrations of a subject up to the Patient version that has been processed. */
  async settleRegistrations(tenant: string, subjectOfCareId: string, upToVersion: number, outcome: { status: 'registered' | 'failed'; personId?: string; reason?: string; diagnostics?: string }): Promise<void> {
    await this.q.query(
      `UPDATE registration SET status = $4, person_id = $5, reason = $6, diagnostics = $7, updated_at = now()
       WHERE tenant = $1 AND subject_of_care_id = $2 AND status = 'pending' AND patient_version <= $3`,
      [tenant, subjectOfCareId, upToVersion, outcome.status, outcome.personId ?? null, outcome.reason ?? null, outcome.diagnostics ?? null],
    );
  }

}
