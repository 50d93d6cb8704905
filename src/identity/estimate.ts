// Estimating the model from the data, without labels. u (how often different people agree) from
// random pairs, nearly all of which are different people. m (how often the same person agrees) by
// expectation–maximisation with u held fixed, as Splink does: once over the pairs that share a date of
// birth (estimating every comparison but the date) and once over pairs whose names sound alike
// (estimating all but the names) — a comparison a training block forces to agree cannot be estimated
// from it, and including it makes every blocked pair look like a match. Each comparison's m is the
// mean of its estimates. Levels never observed keep the starting model's values.
import { COMPARISON_NAMES } from './comparisons.js';
import type { ComparisonName, ComparisonVector } from './comparisons.js';
import { compare } from './comparisons.js';
import { forEachBlockedPair } from './dedupe.js';
import type { MatchFeatures } from './features.js';
import type { MatchModel } from './model.js';

export interface Estimate {
  model: MatchModel;
  iterations: number;
  blockedPairs: number;
  randomPairs: number;
  /** Expected number of true matches among the blocked pairs. */
  expectedMatches: number;
}

export interface EstimateOptions {
  randomPairs?: number;
  maxIterations?: number;
  /** Stop when no m probability moves by more than this. */
  tolerance?: number;
  /** Seed of the random pair sample (reproducible estimates). */
  seed?: number;
}

const MIN_PROBABILITY = 1e-6;

/** A small seeded generator (mulberry32): the estimate must not change from run to run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Share of each level among the vectors where the comparison had data, or undefined if never seen. */
function levelShares(vectors: ComparisonVector[], weights: number[] | undefined, start: MatchModel['m']): MatchModel['m'] {
  const out = {} as MatchModel['m'];
  COMPARISON_NAMES.forEach((name: ComparisonName, c) => {
    const counts = new Array<number>(start[name].length).fill(0);
    let total = 0;
    vectors.forEach((v, i) => {
      if (v[c] < 0) return;
      const w = weights ? weights[i] : 1;
      counts[v[c]] += w;
      total += w;
    });
    // A level no pair reached keeps the starting value, and none falls below MIN_PROBABILITY: a
    // probability of (nearly) 0 would make its level an infinite weight.
    out[name] = counts.map((n, l) => Math.max(MIN_PROBABILITY, total > 0 && n > 0 ? n / total : start[name][l]));
    const sum = out[name].reduce((s, p) => s + p, 0);
    out[name] = out[name].map((p) => p / sum);
  });
  return out;
}

export function estimateModel(records: readonly MatchFeatures[], start: MatchModel, options: EstimateOptions = {}): Estimate {
  const next = random(options.seed ?? 1);
  const sample = Math.min(options.randomPairs ?? 200_000, (records.length * (records.length - 1)) / 2);
  const randomVectors: ComparisonVector[] = [];
  for (let i = 0; i < sample; i++) {
    const a = Math.floor(next() * records.length);
    let b = Math.floor(next() * (records.length - 1));
    if (b >= a) b++;
    randomVectors.push(compare(records[a], records[b]));
  }
  const u = levelShares(randomVectors, undefined, start.u);

  const rules = TRAINING_RULES.map((rule) => trainOn(records, rule, start.m, u, options));
  const m = {} as MatchModel['m'];
  for (const name of COMPARISON_NAMES) {
    const estimates = rules.filter((r) => !r.rule.fixes.includes(name)).map((r) => r.m[name]);
    m[name] = estimates.length ? start.m[name].map((_, l) => estimates.reduce((s, e) => s + e[l], 0) / estimates.length) : start.m[name];
  }
  const expectedMatches = Math.max(...rules.map((r) => r.expectedMatches));
  const allPairs = (records.length * (records.length - 1)) / 2;
  return {
    model: { ...start, m, u, prior: Math.max(1e-12, expectedMatches / Math.max(1, allPairs)) },
    iterations: Math.max(...rules.map((r) => r.iterations)),
    blockedPairs: rules.reduce((s, r) => s + r.pairs, 0),
    randomPairs: sample,
    expectedMatches,
  };
}

interface TrainingRule {
  /** Blocking keys of this prefix make the training pairs. */
  prefix: string;
  /** Comparisons the block forces to (nearly) agree: not estimated from it. */
  fixes: ComparisonName[];
}

const TRAINING_RULES: TrainingRule[] = [
  { prefix: 'dob:', fixes: ['birthDate'] },
  { prefix: 'nn:', fixes: ['given', 'family'] },
];

function trainOn(records: readonly MatchFeatures[], rule: TrainingRule, startM: MatchModel['m'], u: MatchModel['u'], options: EstimateOptions) {
  const vectors: ComparisonVector[] = [];
  forEachBlockedPair(records, (a, b) => vectors.push(compare(records[a], records[b])), undefined, (key) => key.startsWith(rule.prefix));
  const free = COMPARISON_NAMES.map((name, c) => [name, c] as const).filter(([name]) => !rule.fixes.includes(name));
  let m = startM;
  let lambda = 0.1;
  let posteriors: number[] = [];
  let iterations = 0;
  while (iterations < (options.maxIterations ?? 25)) {
    iterations++;
    posteriors = vectors.map((v) => {
      let logRatio = Math.log(lambda / (1 - lambda));
      for (const [name, c] of free) if (v[c] >= 0) logRatio += Math.log(m[name][v[c]] / u[name][v[c]]);
      return 1 / (1 + Math.exp(-logRatio));
    });
    const updated = levelShares(vectors, posteriors, m);
    lambda = Math.min(1 - 1e-9, Math.max(1e-9, posteriors.reduce((s, p) => s + p, 0) / Math.max(1, vectors.length)));
    const moved = Math.max(...free.flatMap(([name]) => updated[name].map((p, l) => Math.abs(p - m[name][l]))));
    m = updated;
    if (moved < (options.tolerance ?? 1e-4)) break;
  }
  return { rule, m, iterations, pairs: vectors.length, expectedMatches: posteriors.reduce((s, p) => s + p, 0) };
}
