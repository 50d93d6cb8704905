// Matching one record against the person index: the candidates its blocking keys find in SQL, scored
// pair by pair, then grouped by person — a person's grade is that of its best-matching record, and no
// person holding a different verified NHS number can match at all.
import type { RecordKey, Repository } from '../store/index.js';
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
  const identity = repo.identity;
  const [records, counts, rejected] = await Promise.all([
    identity.candidates(blockingKeys(features), self),
    identity.nameCounts(features.given, features.family),
    self ? identity.rejectedWith(self) : Promise.resolve(new Set<string>()),
  ]);
  // A small index says little about how common a name is in the population: the model's u stands until it is large.
  const sized = counts.total >= MIN_RECORDS_FOR_FREQUENCIES;
  const frequencies: NameFrequencies = {
    given: (name) => (sized && name === features.given && counts.given ? counts.given / counts.total : undefined),
    family: (name) => (sized && name === features.family && counts.family ? counts.family / counts.total : undefined),
  };
  const best = new Map<string, PersonCandidate>();
  // One record with a different verified NHS number rules its whole person out.
  const ruledOut = new Set<string>();
  for (const r of records) {
    if (!r.personId || rejected.has(recordKey(r))) continue;
    const other = JSON.parse(r.features) as MatchFeatures;
    const outcome = decide(model, compare(features, other), features, other, frequencies);
    if (outcome.rule === RULES.verifiedNhsDiffer) ruledOut.add(r.personId);
    const current = best.get(r.personId);
    if (!current || better(outcome, current.outcome)) best.set(r.personId, { personId: r.personId, record: { tenant: r.tenant, patientId: r.patientId }, outcome });
  }
  let candidates = [...best.values()].filter((c) => !ruledOut.has(c.personId) && c.outcome.grade !== 'certainly-not');
  if (features.nhsVerified && features.nhsNumber && candidates.length) {
    const verified = await identity.verifiedNhsOfPersons(candidates.map((c) => c.personId));
    candidates = candidates.filter((c) => [...(verified.get(c.personId) ?? [])].every((n) => n === features.nhsNumber));
  }
  return candidates.sort((a, b) => (better(a.outcome, b.outcome) ? -1 : 1));
}

function better(a: MatchOutcome, b: MatchOutcome): boolean {
  return GRADE_ORDER[a.grade] !== GRADE_ORDER[b.grade] ? GRADE_ORDER[a.grade] < GRADE_ORDER[b.grade] : a.weight > b.weight;
}
