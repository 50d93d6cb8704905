// Storage of identity matching: the match index (features and blocking keys per tenant Patient), person
// links with how each was made and an append-only history of every change to them, review pairs (open
// and decided; a pair decided "different people" is never proposed again) and merges.
import type { Queryable } from './db/driver.js';

/** A tenant's Patient as the person index knows it. */
export interface RecordKey {
  tenant: string;
  patientId: string;
}

export interface PersonLink extends RecordKey {
  personId: string;
  /** How sure the link is (FHIR identity-assuranceLevel: level1..level4). */
  assurance: string;
  /** How it was made: `nhs-number-verified`, `probabilistic`, `new-person`, `review`, `merge`, `unmerge`. */
  method: string;
  /** Match probability behind a probabilistic link. */
  score?: number;
  /** The decision rule, in words. */
  rule?: string;
  /** Who made it: `system`, or the reviewer's client or user. */
  actor: string;
}

export interface IndexedRecord extends RecordKey {
  /** MatchFeatures as JSON (the store does not interpret it). */
  features: string;
  personId?: string;
}

export interface IndexEntry extends RecordKey {
  features: string;
  given?: string;
  family?: string;
  verifiedNhs?: string;
  keys: string[];
}

export interface ReviewPair {
  recordA: string;
  recordB: string;
  taskId: string;
  status: 'open' | 'same-person' | 'different-people' | 'withdrawn';
}

export interface MergeRecord {
  id: string;
  survivor: string;
  merged: string;
  /** The links moved from the merged person to the survivor, as they were before. */
  moved: PersonLink[];
  /** The merged person's golden Patient JSON before the merge. */
  mergedBefore: string;
  actor: string;
  reason?: string;
  undone: boolean;
}

/** `tenant/patientId`: how review pairs name records. */
export const recordKey = (r: RecordKey): string => `${r.tenant}/${r.patientId}`;

/** The record a `recordKey` names (tenant ids have no `/`). */
export function parseRecordKey(key: string): RecordKey {
  const slash = key.indexOf('/');
  return { tenant: key.slice(0, slash), patientId: key.slice(slash + 1) };
}

/** A review pair's two keys, in the order it is stored. */
const pairKeys = (a: RecordKey, b: RecordKey): string[] => [recordKey(a), recordKey(b)].sort();

interface LinkRow {
  tenant: string;
  patient_id: string;
  person_id: string;
  assurance: string;
  method: string;
  score: number | null;
  rule: string | null;
  actor: string | null;
}

const toLink = (r: LinkRow): PersonLink => ({
  tenant: r.tenant,
  patientId: r.patient_id,
  personId: r.person_id,
  assurance: r.assurance,
  method: r.method,
  ...(r.score !== null ? { score: Number(r.score) } : {}),
  ...(r.rule !== null ? { rule: r.rule } : {}),
  actor: r.actor ?? 'system',
});

const LINK_COLUMNS = 'tenant, patient_id, person_id, assurance, method, score, rule, actor';

export class IdentityRecords {
  constructor(private readonly q: Queryable) {}

  /** Files (or re-files) records in the match index under their blocking keys (each record once). */
  async index(entries: readonly IndexEntry[]): Promise<void> {
    if (!entries.length) return;
    const rows = entries.map((e) => ({ tenant: e.tenant, patient_id: e.patientId, features: e.features, given: e.given ?? null, family: e.family ?? null, verified_nhs: e.verifiedNhs ?? null, keys: e.keys }));
    await this.q.query(
      `WITH input AS (SELECT * FROM json_to_recordset($1::text::json) AS u(tenant text, patient_id text, features text, given text, family text, verified_nhs text, keys text[])),
       upserted AS (
         INSERT INTO identity_record (tenant, patient_id, features, given, family, verified_nhs) SELECT tenant, patient_id, features, given, family, verified_nhs FROM input
         ON CONFLICT (tenant, patient_id) DO UPDATE SET features = EXCLUDED.features, given = EXCLUDED.given, family = EXCLUDED.family, verified_nhs = EXCLUDED.verified_nhs
         RETURNING tenant),
       stale AS (DELETE FROM identity_block b USING input i WHERE b.tenant = i.tenant AND b.patient_id = i.patient_id AND NOT (b.key = ANY(i.keys)))
       INSERT INTO identity_block (key, tenant, patient_id) SELECT k, i.tenant, i.patient_id FROM input i, unnest(i.keys) AS k ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async removeFromIndex(r: RecordKey): Promise<void> {
    await this.q.query('WITH b AS (DELETE FROM identity_block WHERE tenant = $1 AND patient_id = $2) DELETE FROM identity_record WHERE tenant = $1 AND patient_id = $2', [r.tenant, r.patientId]);
  }

  /** For each query, the records filed under any of its keys (other than its `self`), with the person each is linked to. */
  async candidates(queries: readonly { keys: readonly string[]; self?: RecordKey }[]): Promise<IndexedRecord[][]> {
    const found: IndexedRecord[][] = queries.map(() => []);
    if (!queries.length) return found;
    const input = queries.map((query, n) => ({ n, keys: query.keys, tenant: query.self?.tenant ?? '', patient_id: query.self?.patientId ?? '' }));
    const rows = await this.q.query<{ n: number; tenant: string; patient_id: string; features: string; person_id: string | null }>(
      `WITH q AS (SELECT * FROM json_to_recordset($1::text::json) AS q(n int, keys text[], tenant text, patient_id text)),
       c AS (SELECT DISTINCT q.n, b.tenant, b.patient_id FROM q JOIN identity_block b ON b.key = ANY(q.keys)
             WHERE NOT (b.tenant = q.tenant AND b.patient_id = q.patient_id))
       SELECT c.n, r.tenant, r.patient_id, r.features, l.person_id
       FROM c JOIN identity_record r ON r.tenant = c.tenant AND r.patient_id = c.patient_id
       LEFT JOIN person_link l ON l.tenant = c.tenant AND l.patient_id = c.patient_id`,
      [JSON.stringify(input)],
    );
    for (const r of rows) found[Number(r.n)].push({ tenant: r.tenant, patientId: r.patient_id, features: r.features, ...(r.person_id !== null ? { personId: r.person_id } : {}) });
    return found;
  }

  /**
   * How many indexed records have each of these given and family names, and how many records there are
   * (exactly while the index is small, the planner's estimate once it is large): for term-frequency weights.
   */
  async nameCounts(given: readonly string[], family: readonly string[]): Promise<{ given: Map<string, number>; family: Map<string, number>; total: number }> {
    const rows = await this.q.query<{ kind: 'g' | 'f' | 't'; name: string | null; n: string | number }>(
      `SELECT 'g' AS kind, given AS name, count(*) AS n FROM identity_record WHERE given = ANY($1::text[]) GROUP BY given
       UNION ALL SELECT 'f', family, count(*) FROM identity_record WHERE family = ANY($2::text[]) GROUP BY family
       UNION ALL SELECT 't', NULL, (SELECT CASE WHEN reltuples < 10000 THEN (SELECT count(*) FROM identity_record) ELSE reltuples::bigint END
                                    FROM pg_class WHERE relname = 'identity_record')`,
      [[...new Set(given)], [...new Set(family)]],
    );
    const counts = { given: new Map<string, number>(), family: new Map<string, number>(), total: 0 };
    for (const r of rows) {
      if (r.kind === 't') counts.total = Number(r.n);
      else (r.kind === 'g' ? counts.given : counts.family).set(r.name as string, Number(r.n));
    }
    return counts;
  }

  /** The verified NHS numbers among each person's records. */
  async verifiedNhsOfPersons(personIds: string[]): Promise<Map<string, Set<string>>> {
    const rows = await this.q.query<{ person_id: string; verified_nhs: string }>(
      `SELECT l.person_id, r.verified_nhs FROM person_link l JOIN identity_record r ON r.tenant = l.tenant AND r.patient_id = l.patient_id
       WHERE l.person_id = ANY($1::text[]) AND r.verified_nhs IS NOT NULL`,
      [personIds],
    );
    const out = new Map<string, Set<string>>();
    for (const r of rows) out.set(r.person_id, (out.get(r.person_id) ?? new Set()).add(r.verified_nhs));
    return out;
  }

  async personLink(r: RecordKey): Promise<PersonLink | undefined> {
    return (await this.personLinks([r])).get(recordKey(r));
  }

  /** The links of several records, by `recordKey`. */
  async personLinks(records: readonly RecordKey[]): Promise<Map<string, PersonLink>> {
    if (!records.length) return new Map();
    const rows = await this.q.query<LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM person_link WHERE (tenant, patient_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [records.map((r) => r.tenant), records.map((r) => r.patientId)],
    );
    return new Map(rows.map((row) => [`${row.tenant}/${row.patient_id}`, toLink(row)]));
  }

  async linksOfPerson(personId: string): Promise<PersonLink[]> {
    return (await this.q.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM person_link WHERE person_id = $1 ORDER BY linked_at, tenant, patient_id`, [personId])).map(toLink);
  }

  /**
   * Links (or re-links) records to persons (each record once), recording each change in the link
   * history — as the link's own method and actor, or as `event` says when links are restored as they
   * were (an unmerge).
   */
  async link(links: readonly PersonLink[], event?: { method: string; actor: string }): Promise<void> {
    if (!links.length) return;
    const rows = links.map((l) => ({ ...l, score: l.score ?? null, rule: l.rule ?? null, eventMethod: event?.method ?? l.method, eventActor: event?.actor ?? l.actor }));
    await this.q.query(
      `WITH input AS (SELECT * FROM json_to_recordset($1::text::json) AS u("tenant" text, "patientId" text, "personId" text, assurance text, method text, score float8, rule text, actor text, "eventMethod" text, "eventActor" text)),
       event AS (INSERT INTO person_link_event (tenant, patient_id, person_id, previous_person_id, assurance, method, score, rule, actor)
                 SELECT i."tenant", i."patientId", i."personId", p.person_id, i.assurance, i."eventMethod", i.score, i.rule, i."eventActor"
                 FROM input i LEFT JOIN person_link p ON p.tenant = i."tenant" AND p.patient_id = i."patientId")
       INSERT INTO person_link (tenant, patient_id, person_id, assurance, method, score, rule, actor)
       SELECT "tenant", "patientId", "personId", assurance, method, score, rule, actor FROM input
       ON CONFLICT (tenant, patient_id) DO UPDATE SET person_id = EXCLUDED.person_id, assurance = EXCLUDED.assurance, method = EXCLUDED.method,
         score = EXCLUDED.score, rule = EXCLUDED.rule, actor = EXCLUDED.actor, linked_at = now()`,
      [JSON.stringify(rows)],
    );
  }

  async unlink(r: RecordKey, method: string, actor: string): Promise<void> {
    await this.q.query(
      `WITH removed AS (DELETE FROM person_link WHERE tenant = $1 AND patient_id = $2 RETURNING person_id)
       INSERT INTO person_link_event (tenant, patient_id, person_id, previous_person_id, method, actor)
       SELECT $1, $2, NULL, person_id, $3, $4 FROM removed`,
      [r.tenant, r.patientId, method, actor],
    );
  }

  /** Every change to a record's link, oldest first. */
  async linkHistory(r: RecordKey): Promise<(Omit<PersonLink, 'personId'> & { personId?: string; previousPersonId?: string; at: string })[]> {
    const rows = await this.q.query<Omit<LinkRow, 'person_id'> & { person_id: string | null; previous_person_id: string | null; at: string }>(
      `SELECT tenant, patient_id, person_id, previous_person_id, assurance, method, score, rule, actor,
              to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM person_link_event WHERE tenant = $1 AND patient_id = $2 ORDER BY seq`,
      [r.tenant, r.patientId],
    );
    return rows.map((row) => ({
      ...toLink({ ...row, person_id: row.person_id ?? '', assurance: row.assurance ?? '' }),
      ...(row.person_id !== null ? { personId: row.person_id } : { personId: undefined }),
      ...(row.previous_person_id !== null ? { previousPersonId: row.previous_person_id } : {}),
      at: row.at,
    }));
  }

  /** The review pair for two records, in either order. */
  reviewPair(a: RecordKey, b: RecordKey): Promise<ReviewPair | undefined> {
    return this.oneReview('record_a = $1 AND record_b = $2', pairKeys(a, b));
  }

  reviewByTask(taskId: string): Promise<ReviewPair | undefined> {
    return this.oneReview('task_id = $1', [taskId]);
  }

  private async oneReview(where: string, params: unknown[]): Promise<ReviewPair | undefined> {
    const [r] = await this.q.query<{ record_a: string; record_b: string; task_id: string; status: ReviewPair['status'] }>(`SELECT record_a, record_b, task_id, status FROM identity_review WHERE ${where}`, params);
    return r ? { recordA: r.record_a, recordB: r.record_b, taskId: r.task_id, status: r.status } : undefined;
  }

  /** For each record (by `recordKey`), the records with a "different people" decision against it: never proposed as its matches again. */
  async rejectedWith(records: readonly RecordKey[]): Promise<Map<string, Set<string>>> {
    const keys = records.map(recordKey);
    const rows = await this.q.query<{ a: string; b: string }>(
      `SELECT record_a AS a, record_b AS b FROM identity_review
       WHERE (record_a = ANY($1::text[]) OR record_b = ANY($1::text[])) AND status = 'different-people'`,
      [keys],
    );
    const rejected = new Map(keys.map((k) => [k, new Set<string>()]));
    for (const { a, b } of rows) {
      rejected.get(a)?.add(b);
      rejected.get(b)?.add(a);
    }
    return rejected;
  }

  async openReview(a: RecordKey, b: RecordKey, taskId: string): Promise<void> {
    const [x, y] = pairKeys(a, b);
    await this.q.query(
      `INSERT INTO identity_review (record_a, record_b, task_id, status) VALUES ($1, $2, $3, 'open')
       ON CONFLICT (record_a, record_b) DO UPDATE SET task_id = EXCLUDED.task_id, status = 'open'`,
      [x, y, taskId],
    );
  }

  async decideReview(taskId: string, status: Exclude<ReviewPair['status'], 'open'>): Promise<void> {
    await this.q.query('UPDATE identity_review SET status = $2 WHERE task_id = $1', [taskId, status]);
  }

  async saveMerge(m: Omit<MergeRecord, 'undone'>): Promise<void> {
    await this.q.query('INSERT INTO identity_merge (id, survivor, merged, moved, merged_before, actor, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      m.id, m.survivor, m.merged, JSON.stringify(m.moved), m.mergedBefore, m.actor, m.reason ?? null,
    ]);
  }

  /** The merge (not undone) that retired `mergedPersonId`. */
  async activeMergeOf(mergedPersonId: string): Promise<MergeRecord | undefined> {
    const rows = await this.q.query<{ id: string; survivor: string; merged: string; moved: string; merged_before: string; actor: string; reason: string | null }>(
      'SELECT id, survivor, merged, moved, merged_before, actor, reason FROM identity_merge WHERE merged = $1 AND undone_at IS NULL ORDER BY at DESC LIMIT 1',
      [mergedPersonId],
    );
    const r = rows[0];
    return r ? { id: r.id, survivor: r.survivor, merged: r.merged, moved: JSON.parse(r.moved) as PersonLink[], mergedBefore: r.merged_before, actor: r.actor, ...(r.reason !== null ? { reason: r.reason } : {}), undone: false } : undefined;
  }

  async markUndone(mergeId: string, actor: string): Promise<void> {
    await this.q.query('UPDATE identity_merge SET undone_at = now(), undone_by = $2 WHERE id = $1', [mergeId, actor]);
  }
}
