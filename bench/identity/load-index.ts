// Bulk-loads a person index of a given size for the $match benchmark: each synthetic person becomes a
// golden Patient on the central store and one linked source record in the match index, written by
// multi-row inserts rather than by registration (which would take hours at this size; registration
// itself is measured separately). The source Patients themselves are not written: $match never reads
// them. Returns corrupted duplicates of indexed persons to query with.
import type { Patient } from '@medplum/fhirtypes';
import postgres from 'postgres';
import { blockingKeys, featuresOf } from '../../src/identity/index.js';
import { population } from './population.js';

const CHUNK = 5000;
const TENANTS = ['sunrise-care', 'meadow-homecare', 'city-hospital'];
const BASE = 'http://127.0.0.1:8761/tenants';

export async function loadIndex(url: string, size: number, seed: number, log: (m: string) => void): Promise<{ indexed: number; queries: Patient[] }> {
  log(`generating ${size} persons`);
  // A duplicate share of 0.2% gives a few thousand corrupted second records to query with.
  const records = population({ persons: size, duplicateShare: 0.002, seed });
  const originals = records.filter((r) => r.original);
  const queries = records.filter((r) => !r.original).map((r) => r.patient);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    for (let i = 0; i < originals.length; i += CHUNK) {
      const rows = originals.slice(i, i + CHUNK).map((r) => {
        const tenant = TENANTS[r.person % TENANTS.length];
        const patientId = `r${r.person}`;
        const features = featuresOf(r.patient);
        const golden: Patient = {
          resourceType: 'Patient',
          id: `p${r.person}`,
          meta: { versionId: '1', lastUpdated: new Date().toISOString() },
          active: true,
          name: r.patient.name,
          gender: r.patient.gender,
          birthDate: r.patient.birthDate,
          link: [{ other: { reference: `${BASE}/${tenant}/fhir/Patient/${patientId}` }, type: 'seealso' }],
        };
        return { tenant, patientId, personId: `p${r.person}`, features, keys: blockingKeys(features), golden: JSON.stringify(golden) };
      });
      await sql.begin(async (tx) => {
        await tx`INSERT INTO identity_record (tenant, patient_id, features, given, family, verified_nhs)
          SELECT * FROM unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.patientId)}::text[], ${rows.map((r) => JSON.stringify(r.features))}::text[],
            ${rows.map((r) => r.features.given ?? null) as string[]}::text[], ${rows.map((r) => r.features.family ?? null) as string[]}::text[],
            ${rows.map((r) => (r.features.nhsVerified ? (r.features.nhsNumber ?? null) : null)) as string[]}::text[])`;
        const blocks = rows.flatMap((r) => r.keys.map((k) => [k, r.tenant, r.patientId]));
        await tx`INSERT INTO identity_block (key, tenant, patient_id)
          SELECT * FROM unnest(${blocks.map((b) => b[0])}::text[], ${blocks.map((b) => b[1])}::text[], ${blocks.map((b) => b[2])}::text[]) ON CONFLICT DO NOTHING`;
        await tx`INSERT INTO person_link (tenant, patient_id, person_id, assurance, method, actor)
          SELECT t, p, q, 'level4', 'new-person', 'bench' FROM unnest(${rows.map((r) => r.tenant)}::text[], ${rows.map((r) => r.patientId)}::text[], ${rows.map((r) => r.personId)}::text[]) AS u(t, p, q)`;
        await tx`INSERT INTO resource (tenant, type, id, version, last_updated, content)
          SELECT 'platform', 'Patient', i, 1, now(), c FROM unnest(${rows.map((r) => r.personId)}::text[], ${rows.map((r) => r.golden)}::text[]) AS u(i, c)`;
      });
      if ((i / CHUNK) % 20 === 0) log(`indexed ${Math.min(i + CHUNK, originals.length)} / ${originals.length}`);
    }
    log('VACUUM ANALYZE');
    await sql.unsafe('VACUUM ANALYZE identity_record');
    await sql.unsafe('VACUUM ANALYZE identity_block');
    await sql.unsafe('VACUUM ANALYZE person_link');
    return { indexed: originals.length, queries: queries.slice(0, 2000) };
  } finally {
    await sql.end();
  }
}
