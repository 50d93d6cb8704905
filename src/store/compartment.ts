// A Patient's compartment in one tenant's store: the Patient and every current resource that refers to
// it (by any reference search parameter). FHIR defines the compartment by named parameters per type;
// "refers to it" is our wider reading, so nothing about the person is missed (docs/federation.md).
import type { Queryable } from './db/driver.js';
import type { FoundResource } from './search/execute.js';

/**
 * The compartment of the Patient `patient` of tenant `tenant` (SQL expressions): the Patient, then what
 * refers to it, found from the references and read by primary key. The shape is fixed (OFFSET 0 keeps
 * the planner from turning it around): on a tenant's partition whose statistics are missing or stale it
 * chose to scan, once for every reference.
 */
const members = (tenant: string, patient: string): string => `
  SELECT r.type, r.id, r.last_updated, r.content FROM resource r
  WHERE r.tenant = ${tenant} AND r.type = 'Patient' AND r.id = ${patient} AND NOT r.deleted
  UNION ALL
  SELECT r.type, r.id, r.last_updated, r.content
  FROM (SELECT DISTINCT s.rtype, s.rid FROM sp_reference s
        WHERE s.tenant = ${tenant} AND s.target_type = 'Patient' AND s.target_id = ${patient} AND NOT (s.rtype = 'Patient' AND s.rid = ${patient})) s
  CROSS JOIN LATERAL (SELECT r.* FROM resource r WHERE r.tenant = ${tenant} AND r.type = s.rtype AND r.id = s.rid AND NOT r.deleted OFFSET 0) r`;
const MEMBERS = members('$1', '$2');

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

/**
 * What each of several Patients' compartments holds, by `tenant/patientId` (one statement): by type,
 * how many and when each type last changed.
 */
export async function summariseCompartments(q: Queryable, patients: readonly { tenant: string; patientId: string }[]): Promise<Map<string, HeldKind[]>> {
  // Each Patient once: a Patient named twice would be counted twice over.
  const unique = [...new Map(patients.map((p) => [`${p.tenant}/${p.patientId}`, p])).values()];
  const held = new Map<string, HeldKind[]>(unique.map((p) => [`${p.tenant}/${p.patientId}`, []]));
  if (!unique.length) return held;
  const rows = await q.query<{ tenant: string; patient_id: string; type: string; n: string | number; last: string }>(
    `SELECT k.tenant, k.patient_id, m.type, count(*) AS n, to_char(max(m.last_updated) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last
     FROM unnest($1::text[], $2::text[]) AS k(tenant, patient_id) CROSS JOIN LATERAL (${members('k.tenant', 'k.patient_id')}) m
     GROUP BY k.tenant, k.patient_id, m.type ORDER BY m.type`,
    [unique.map((p) => p.tenant), unique.map((p) => p.patientId)],
  );
  for (const r of rows) held.get(`${r.tenant}/${r.patient_id}`)?.push({ type: r.type, count: Number(r.n), lastUpdated: r.last });
  return held;
}
