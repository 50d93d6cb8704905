// The Fellegi–Sunter model: for each comparison level, m (how often true matches agree at that
// level) and u (how often two different people do). A pair's match weight is the log2 prior odds plus
// the sum of log2(m/u) over its comparisons; exact name agreements use the name's own frequency as u
// (term-frequency adjustment), so "SMITH = SMITH" counts for less than "OYELARAN = OYELARAN".
import { COMPARISON_NAMES, COMPARISONS } from './comparisons.js';
import type { ComparisonName, ComparisonVector } from './comparisons.js';
import type { MatchFeatures } from './features.js';

export interface MatchModel {
  /** Probability that two records drawn at random are the same person (λ). */
  prior: number;
  m: Record<ComparisonName, number[]>;
  u: Record<ComparisonName, number[]>;
  /** Decision thresholds on the match probability. */
  thresholds: { autoLink: number; review: number };
}

/** How common a normalised name is among the records matched against (0–1); undefined when unknown. */
export interface NameFrequencies {
  given(name: string): number | undefined;
  family(name: string): number | undefined;
}

/**
 * Defaults before any estimation: m from published record-linkage experience with UK health data
 * (names and dates of birth agree exactly in 85–95% of true matches), u as the chance agreement of
 * random pairs in a national-scale index. `npm run bench:identity` re-estimates m by
 * expectation-maximisation and reports both.
 */
export const DEFAULT_MODEL: MatchModel = {
  prior: 1e-6,
  m: {
    nhsNumber: [0.998, 0.002],
    given: [0.84, 0.05, 0.04, 0.02, 0.015, 0.015, 0.01, 0.01],
    family: [0.85, 0.01, 0.05, 0.03, 0.02, 0.01, 0.03],
    birthDate: [0.92, 0.02, 0.04, 0.01, 0.01],
    address: [0.6, 0.1, 0.04, 0.06, 0.05, 0.15],
    gender: [0.98, 0.02],
  },
  u: {
    nhsNumber: [1e-8, 1 - 1e-8],
    given: [0.01, 0.002, 0.0005, 0.002, 0.003, 0.01, 0.003, 0.97],
    family: [0.002, 1e-5, 0.0002, 0.001, 0.002, 0.01, 0.985],
    birthDate: [4e-5, 1e-5, 5e-4, 0.012, 0.987],
    address: [1e-6, 1e-5, 1e-6, 1e-4, 5e-4, 0.9994],
    gender: [0.5, 0.5],
  },
  thresholds: { autoLink: 0.99, review: 0.2 },
};

/**
 * Below this many records, name frequencies in the data say little about the population: term-frequency
 * adjustment waits until the records matched against are at least this many.
 */
export const MIN_RECORDS_FOR_FREQUENCIES = 1000;

/** The smallest frequency a term-frequency adjustment uses: one rare name must not outweigh the rest. */
const MIN_TERM_FREQUENCY = 1e-5;

export interface ComparisonWeight {
  comparison: ComparisonName;
  level: string;
  /** log2(m/u) for this pair; 0 where the comparison had no data. */
  weight: number;
  /** The frequency used in place of u for an exact name agreement. */
  termFrequency?: number;
}

export interface Score {
  /** log2 of the posterior odds of a match. */
  weight: number;
  probability: number;
  comparisons: ComparisonWeight[];
}

/** The comparisons behind a score, in words: "given: nickname (+4.07)". */
export function explain(comparisons: ComparisonWeight[]): string {
  return comparisons.map((c) => `${c.comparison}: ${c.level} (${c.weight >= 0 ? '+' : ''}${c.weight.toFixed(2)})`).join('; ');
}

export const log2Odds = (p: number): number => Math.log2(p / (1 - p));

export function score(model: MatchModel, vector: ComparisonVector, a: MatchFeatures, frequencies?: NameFrequencies): Score {
  let weight = log2Odds(model.prior);
  const comparisons: ComparisonWeight[] = [];
  COMPARISON_NAMES.forEach((name, i) => {
    const level = vector[i];
    if (level < 0) {
      comparisons.push({ comparison: name, level: 'missing', weight: 0 });
      return;
    }
    const tf = level === 0 ? termFrequency(name, a, frequencies) : undefined;
    const w = Math.log2(model.m[name][level] / (tf ?? model.u[name][level]));
    weight += w;
    comparisons.push({ comparison: name, level: COMPARISONS[name][level], weight: w, ...(tf !== undefined ? { termFrequency: tf } : {}) });
  });
  return { weight, probability: 1 / (1 + 2 ** -weight), comparisons };
}

function termFrequency(name: ComparisonName, a: MatchFeatures, frequencies: NameFrequencies | undefined): number | undefined {
  if (!frequencies) return undefined;
  const f = name === 'given' && a.given ? frequencies.given(a.given) : name === 'family' && a.family ? frequencies.family(a.family) : undefined;
  return f === undefined ? undefined : Math.max(f, MIN_TERM_FREQUENCY);
}

/** The rules that decided an outcome (in words: they are shown to reviewers and in `$match`). */
export const RULES = {
  verifiedNhsEqual: 'verified NHS numbers are equal',
  verifiedNhsDiffer: 'verified NHS numbers differ',
} as const;

/** FHIR match-grade (http://hl7.org/fhir/StructureDefinition/match-grade). */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

export interface MatchOutcome extends Score {
  grade: MatchGrade;
  /** Why the grade is what it is, in words. */
  rule: string;
}

const level = (vector: ComparisonVector, name: ComparisonName): number => vector[COMPARISON_NAMES.indexOf(name)];

/**
 * The decision for a pair. Valid, verified NHS numbers decide on their own (equal: certain; different:
 * certainly not, whatever the demographics say — twins share everything else). Otherwise the score
 * decides, with one guard against the households that break the model's independence assumption
 * (relatives share a surname, an address and sometimes a birthday): an automatic link needs the
 * given name and the date of birth to agree at least approximately (relatives sharing a name are
 * born in different years; twins have different names); a high score without them is
 * only probable and goes to review, as is one between records whose NHS numbers (valid, not both
 * verified) differ.
 */
export function decide(model: MatchModel, vector: ComparisonVector, a: MatchFeatures, b: MatchFeatures, frequencies?: NameFrequencies): MatchOutcome {
  const s = score(model, vector, a, frequencies);
  if (a.nhsVerified && b.nhsVerified) {
    return a.nhsNumber === b.nhsNumber
      ? { ...s, grade: 'certain', rule: RULES.verifiedNhsEqual }
      : { ...s, grade: 'certainly-not', rule: RULES.verifiedNhsDiffer };
  }
  if (s.probability < model.thresholds.review) return { ...s, grade: 'certainly-not', rule: 'score below the review threshold' };
  if (s.probability < model.thresholds.autoLink) return { ...s, grade: 'possible', rule: 'score between the review and auto-link thresholds' };
  // Equal NHS numbers are not shared by relatives: the household guard is for records without them.
  if (level(vector, 'nhsNumber') === 0) return { ...s, grade: 'certain', rule: 'score above the auto-link threshold, with equal NHS numbers' };
  const given = level(vector, 'given');
  const birthDate = level(vector, 'birthDate');
  const namesAgree = given >= 0 && COMPARISONS.given[given] !== 'different';
  const datesAgree = birthDate >= 0 && COMPARISONS.birthDate[birthDate] !== 'different';
  if (!namesAgree || !datesAgree) return { ...s, grade: 'probable', rule: 'score above the auto-link threshold, but given name or date of birth disagree or are missing' };
  if (level(vector, 'nhsNumber') === 1) return { ...s, grade: 'probable', rule: 'score above the auto-link threshold, but the NHS numbers differ' };
  return { ...s, grade: 'certain', rule: 'score above the auto-link threshold' };
}
