// A Patient's compartment in one tenant's store: the Patient and every current resource that refers to
// it (by any reference search parameter). FHIR defines the compartment by named parameters per type;
// "refers to it" is our wider reading, so nothing about the person is missed (docs/federation.md).
import type { Queryable } from './db/driver.js';
import type { FoundResource } from './search/execute.js';

const MEMBERS = `
  SELECT r.type, r.id, r.last_updated, r.content FROM resource r
  WHERE r.tenant = $1 AND NOT r.deleted AND (
    (r.type = 'Patient' AND r.id = $2) OR
    (r.type, r.id) IN (SELECT s.rtype, s.rid FROM sp_reference s WHERE s.tenant = $1 AND s.target_type = 'Patient' AND s.target_id = $2))`;

export interface HeldKind {
  type: string;
  count: number;
  lastUpdated: string;
}

/** The compartment's resources (the Patient first, then by type and id), at most `limit`. */
export async function readCompartment(q: Queryable, tenant: string, patientId: string, limit: number, types?: readonly string[]): Promise<FoundResource[]> {
  const typeFilter = types?.length ? 'WHERE m.type = ANY($4::text[])' : '';
  const params: unknown[] = [tenant, patientId, limit];
  if (types?.length) params.push(types);
  return q.query<FoundResource>(
    `SELECT m.type, m.id, m.content FROM (${MEMBERS}) m ${typeFilter} ORDER BY (m.type <> 'Patient'), m.type, m.id LIMIT $3`,
    params,
  );
}

/** What the compartment holds, by type: how many and when each type last changed. */
export async function summariseCompartment(q: Queryable, tenant: string, patientId: string): Promise<HeldKind[]> {
  const rows = await q.query<{ type: string; n: string | number; last: string }>(
    `SELECT type, count(*) AS n, to_char(max(last_updated) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last FROM (${MEMBERS}) m GROUP BY type ORDER BY type`,
    [tenant, patientId],
  );
  return rows.map((r) => ({ type: r.type, count: Number(r.n), lastUpdated: r.last }));
}
