// Matching one record against the person index: the candidates its blocking keys find in SQL, scored
// pair by pair, then grouped by person — a person's grade is that of its best-matching record, and no
// person holding a different verified NHS number can match at all.
import type { IndexedRecord, RecordKey, Repository } from '../store/index.js';
import { recordKey } from '../store/index.js';
import { blockingKeys } from './blocking.js';
import { compare } from './comparisons.js';
import type { MatchFeatures } from './features.js';
import { decide, MIN_RECORDS_FOR_FREQUENCIES, RULES } from './model.js';
import type { MatchModel, MatchOutcome, NameFrequencies } from './model.js';

export interface PersonCandidate {
  personId: string;
  /** The person's record that matched best. */
  record: RecordKey;
  outcome: MatchOutcome;
}

const GRADE_ORDER = { certain: 0, probable: 1, possible: 2, 'certainly-not': 3 } as const;

export async function findCandidates(repo: Repository, model: MatchModel, features: MatchFeatures, self?: RecordKey): Promise<PersonCandidate[]> {
  return (await findCandidatesOfMany(repo, model, [{ features, self }]))[0];
}

/**
 * Matches several records at once, in four statements whatever their number: their candidates, the
 * frequencies of their names, their rejected pairs, and the verified NHS numbers of the persons found.
 * The records must not be candidates of each other (registration puts such records in separate rounds).
 */
export async function findCandidatesOfMany(repo: Repository, model: MatchModel, queries: readonly { features: MatchFeatures; self?: RecordKey }[]): Promise<PersonCandidate[][]> {
  const identity = repo.identity;
  const selves = queries.flatMap((q) => (q.self ? [q.self] : []));
  const [records, counts, rejected] = await Promise.all([
    identity.candidates(queries.map((q) => ({ keys: blockingKeys(q.features), ...(q.self ? { self: q.self } : {}) }))),
    identity.nameCounts(
      queries.flatMap((q) => (q.features.given ? [q.features.given] : [])),
      queries.flatMap((q) => (q.features.family ? [q.features.family] : [])),
    ),
    selves.length ? identity.rejectedWith(selves) : Promise.resolve(new Map<string, Set<string>>()),
  ]);
  // A small index says little about how common a name is in the population: the model's u stands until it is large.
  const sized = counts.total >= MIN_RECORDS_FOR_FREQUENCIES;
  const frequency = (seen: Map<string, number>, name: string | undefined): number | undefined => {
    const n = sized && name !== undefined ? seen.get(name) : undefined;
    return n ? n / counts.total : undefined;
  };
  const scored = queries.map(({ features, self }, n) => {
    const frequencies: NameFrequencies = {
      given: (name) => (name === features.given ? frequency(counts.given, name) : undefined),
      family: (name) => (name === features.family ? frequency(counts.family, name) : undefined),
    };
    return personsMatching(model, features, records[n], frequencies, self ? rejected.get(recordKey(self)) : undefined);
  });
  // A person holding a verified NHS number other than the record's own cannot be it.
  const checked = queries.flatMap(({ features }, n) => (features.nhsVerified && features.nhsNumber ? scored[n].map((c) => c.personId) : []));
  if (!checked.length) return scored;
  const verified = await identity.verifiedNhsOfPersons([...new Set(checked)]);
  return queries.map(({ features }, n) =>
    features.nhsVerified && features.nhsNumber ? scored[n].filter((c) => [...(verified.get(c.personId) ?? [])].every((number) => number === features.nhsNumber)) : scored[n],
  );
}

/** The persons a record's candidate records belong to, graded by their best-matching record, best first. */
function personsMatching(model: MatchModel, features: MatchFeatures, records: readonly IndexedRecord[], frequencies: NameFrequencies, rejected: ReadonlySet<string> | undefined): PersonCandidate[] {
  const best = new Map<string, PersonCandidate>();
  // One record with a different verified NHS number rules its whole person out.
  const ruledOut = new Set<string>();
  for (const r of records) {
    if (!r.personId || rejected?.has(recordKey(r))) continue;
    const other = JSON.parse(r.features) as MatchFeatures;
    const outcome = decide(model, compare(features, other), features, other, frequencies);
    if (outcome.rule === RULES.verifiedNhsDiffer) ruledOut.add(r.personId);
    const current = best.get(r.personId);
    if (!current || better(outcome, current.outcome)) best.set(r.personId, { personId: r.personId, record: { tenant: r.tenant, patientId: r.patientId }, outcome });
  }
  return [...best.values()].filter((c) => !ruledOut.has(c.personId) && c.outcome.grade !== 'certainly-not').sort((a, b) => (better(a.outcome, b.outcome) ? -1 : 1));
}

function better(a: MatchOutcome, b: MatchOutcome): boolean {
  return GRADE_ORDER[a.grade] !== GRADE_ORDER[b.grade] ? GRADE_ORDER[a.grade] < GRADE_ORDER[b.grade] : a.weight > b.weight;
}
