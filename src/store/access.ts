// Storage of access control's records: policy versions, break-glass grants, the active services that
// give an organisation a relationship with a person, and the SQL that confines a central search to the
// people a caller's organisation has a relationship with.
import type { Queryable } from './db/driver.js';
import { SqlParams } from './search/sql.js';

const ISO = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Who asks: the tenant whose records they hold and the organisation (ODS code) they act for. */
export interface RelationshipHolder {
  tenant?: string;
  organisation?: string;
}

export interface StoredPolicy {
  version: number;
  document: unknown;
  author: string;
  createdAt: string;
}

export interface BreakGlassGrant {
  id: string;
  clientId: string;
  tenant?: string;
  roles: string[];
  personId: string;
  reason: string;
  startedAt: string;
  expiresAt: string;
  review?: { at: string; by: string; outcome: 'appropriate' | 'inappropriate'; note?: string };
}

interface GrantRow {
  id: string;
  client_id: string;
  tenant: string | null;
  roles: string[];
  person_id: string;
  reason: string;
  started: string;
  expires: string;
  reviewed: string | null;
  reviewed_by: string | null;
  review_outcome: 'appropriate' | 'inappropriate' | null;
  review_note: string | null;
}

const GRANT_COLUMNS = `id, client_id, tenant, roles, person_id, reason, ${ISO('started_at')} AS started, ${ISO('expires_at')} AS expires, ${ISO('reviewed_at')} AS reviewed, reviewed_by, review_outcome, review_note`;

const toGrant = (r: GrantRow): BreakGlassGrant => ({
  id: r.id,
  clientId: r.client_id,
  ...(r.tenant ? { tenant: r.tenant } : {}),
  roles: r.roles,
  personId: r.person_id,
  reason: r.reason,
  startedAt: r.started,
  expiresAt: r.expires,
  ...(r.reviewed && r.reviewed_by && r.review_outcome
    ? { review: { at: r.reviewed, by: r.reviewed_by, outcome: r.review_outcome, ...(r.review_note ? { note: r.review_note } : {}) } }
    : {}),
});

/** An organisation's active service for a tenant's Patient (from an EpisodeOfCare). */
export interface CareService {
  patientId: string;
  organisation: string;
  /** ISO instant the service ends, when it has an end. */
  periodEnd?: string;
}

/** The persons a holder has a relationship with: registered records at its tenant, or its active services. */
function relatedPersons(params: SqlParams, holder: RelationshipHolder): string {
  const parts: string[] = [];
  if (holder.tenant) parts.push(`SELECT person_id FROM person_link WHERE tenant = ${params.bind(holder.tenant)}`);
  if (holder.organisation) {
    parts.push(
      `SELECT l.person_id FROM care_service s JOIN person_link l ON l.tenant = s.tenant AND l.patient_id = s.patient_id ` +
        `WHERE s.organisation = ${params.bind(holder.organisation)} AND (s.period_end IS NULL OR s.period_end > now())`,
    );
  }
  return parts.length ? parts.join(' UNION ALL ') : 'SELECT NULL::text WHERE FALSE';
}

/**
 * SQL condition on the resource row `r` of a central search: a person (Patient) the holder is related
 * to, or a resource that refers to no person the holder is not related to (what is about no one — a
 * StructureMap, an Organization — is unaffected).
 */
export function relationshipCondition(params: SqlParams, type: string, holder: RelationshipHolder): string {
  const persons = relatedPersons(params, holder);
  if (type === 'Patient') return `r.id IN (${persons})`;
  return (
    `NOT EXISTS (SELECT 1 FROM sp_reference rel WHERE rel.tenant = r.tenant AND rel.rtype = r.type AND rel.rid = r.id ` +
    `AND rel.target_type = 'Patient' AND rel.target_id NOT IN (${persons}))`
  );
}

export class AccessRecords {
  constructor(private readonly q: Queryable) {}

  async currentPolicy(): Promise<StoredPolicy | undefined> {
    return (await this.policies(1))[0];
  }

  /** Policy versions, newest first. */
  async policies(limit = 100): Promise<StoredPolicy[]> {
    const rows = await this.q.query<{ version: number; document: unknown; author: string; created: string }>(
      `SELECT version, document, author, ${ISO('created_at')} AS created FROM access_policy ORDER BY version DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ version: r.version, document: typeof r.document === 'string' ? JSON.parse(r.document) : r.document, author: r.author, createdAt: r.created }));
  }

  /** Stores a new version (the next number; two writers at once: one fails on the key, nothing is lost). */
  async savePolicy(document: unknown, author: string): Promise<number> {
    const rows = await this.q.query<{ version: number }>(
      'INSERT INTO access_policy (version, document, author) SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM access_policy RETURNING version',
      [JSON.stringify(document), author],
    );
    return rows[0].version;
  }

  async openBreakGlass(g: Omit<BreakGlassGrant, 'startedAt' | 'expiresAt' | 'review'> & { minutes: number }): Promise<BreakGlassGrant> {
    const rows = await this.q.query<GrantRow>(
      `INSERT INTO break_glass (id, client_id, tenant, roles, person_id, reason, expires_at) VALUES ($1, $2, $3, $4::text[], $5, $6, now() + make_interval(mins => $7::int)) RETURNING ${GRANT_COLUMNS}`,
      [g.id, g.clientId, g.tenant ?? null, g.roles, g.personId, g.reason, g.minutes],
    );
    return toGrant(rows[0]);
  }

  /** The caller's unexpired grant for a person, if any. */
  async activeBreakGlass(clientId: string, personId: string): Promise<BreakGlassGrant | undefined> {
    const rows = await this.q.query<GrantRow>(
      `SELECT ${GRANT_COLUMNS} FROM break_glass WHERE client_id = $1 AND person_id = $2 AND expires_at > now() ORDER BY expires_at DESC LIMIT 1`,
      [clientId, personId],
    );
    return rows[0] && toGrant(rows[0]);
  }

  async breakGlassGrants(options: { unreviewed?: boolean; limit?: number } = {}): Promise<BreakGlassGrant[]> {
    const rows = await this.q.query<GrantRow>(
      `SELECT ${GRANT_COLUMNS} FROM break_glass ${options.unreviewed ? 'WHERE reviewed_at IS NULL' : ''} ORDER BY started_at DESC, id LIMIT $1`,
      [options.limit ?? 100],
    );
    return rows.map(toGrant);
  }

  /** Records a review; undefined when there is no such grant. A grant is reviewed once. */
  async reviewBreakGlass(id: string, by: string, outcome: 'appropriate' | 'inappropriate', note?: string): Promise<BreakGlassGrant | 'already-reviewed' | undefined> {
    const rows = await this.q.query<GrantRow>(
      `UPDATE break_glass SET reviewed_at = now(), reviewed_by = $2, review_outcome = $3, review_note = $4 WHERE id = $1 AND reviewed_at IS NULL RETURNING ${GRANT_COLUMNS}`,
      [id, by, outcome, note ?? null],
    );
    if (rows[0]) return toGrant(rows[0]);
    const exists = await this.q.query('SELECT 1 FROM break_glass WHERE id = $1', [id]);
    return exists.length ? 'already-reviewed' : undefined;
  }

  /** Records (or, with undefined, forgets) the service an EpisodeOfCare describes. */
  async recordService(tenant: string, episodeId: string, service: CareService | undefined): Promise<void> {
    if (!service) {
      await this.q.query('DELETE FROM care_service WHERE tenant = $1 AND episode_id = $2', [tenant, episodeId]);
      return;
    }
    await this.q.query(
      `INSERT INTO care_service (tenant, episode_id, patient_id, organisation, period_end) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, episode_id) DO UPDATE SET patient_id = EXCLUDED.patient_id, organisation = EXCLUDED.organisation, period_end = EXCLUDED.period_end`,
      [tenant, episodeId, service.patientId, service.organisation, service.periodEnd ?? null],
    );
  }

  /** Whether the holder has a legitimate relationship with a person. */
  async related(personId: string, holder: RelationshipHolder): Promise<boolean> {
    const params = new SqlParams();
    const person = params.bind(personId);
    const rows = await this.q.query(`SELECT 1 FROM (${relatedPersons(params, holder)}) p WHERE p.person_id = ${person} LIMIT 1`, params.values);
    return rows.length > 0;
  }
}
