// Batch de-duplication of a set of records in memory: block, compare every pair that shares a key,
// decide each pair with the model, and cluster the certain matches — never joining two clusters
// whose records carry different verified NHS numbers. Doubtful pairs are reported for review.
import { blockingKeys } from './blocking.js';
import { compare } from './comparisons.js';
import type { MatchFeatures } from './features.js';
import { decide, MIN_RECORDS_FOR_FREQUENCIES } from './model.js';
import type { MatchModel, MatchOutcome, NameFrequencies } from './model.js';
import { explain } from './model.js';

export interface PairDecision {
  a: number;
  b: number;
  outcome: MatchOutcome;
}

export interface DedupeResult {
  /** Cluster number per record (records alone in their cluster included). */
  clusterOf: Int32Array;
  clusters: number;
  comparedPairs: number;
  links: PairDecision[];
  reviews: PairDecision[];
  /** Certain pairs left unlinked because their clusters hold different verified NHS numbers. */
  conflicts: PairDecision[];
}

export interface DedupeProgress {
  (stage: 'blocking' | 'comparing' | 'clustering', done: number, total: number): void;
}

/** Frequencies of the given and family names within `records`, for term-frequency adjustment. */
export function frequenciesOf(records: readonly MatchFeatures[]): NameFrequencies {
  const count = (pick: (f: MatchFeatures) => string | undefined) => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of records) {
      const v = pick(r);
      if (v) {
        counts.set(v, (counts.get(v) ?? 0) + 1);
        total++;
      }
    }
    return (name: string) => (total >= MIN_RECORDS_FOR_FREQUENCIES ? (counts.get(name) ?? 0) / total : undefined);
  };
  return { given: count((r) => r.given), family: count((r) => r.family) };
}

/** Calls `visit` once for every pair of records that share a blocking key (of those `keep` accepts). */
export function forEachBlockedPair(records: readonly MatchFeatures[], visit: (a: number, b: number) => void, progress?: DedupeProgress, keep?: (key: string) => boolean): void {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const key of blockingKeys(r)) {
      if (keep && !keep(key)) continue;
      const members = blocks.get(key);
      if (members) members.push(i);
      else blocks.set(key, [i]);
    }
    if (i % 10_000 === 0) progress?.('blocking', i, records.length);
  });
  const seen = new Set<number>();
  let blockIndex = 0;
  for (const members of blocks.values()) {
    if (++blockIndex % 10_000 === 0) progress?.('comparing', blockIndex, blocks.size);
    // Members were added in record order, so a < b and a * n + b names the pair uniquely.
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const pairKey = members[x] * records.length + members[y];
        if (seen.has(pairKey)) continue;
        seen.add(pairKey);
        visit(members[x], members[y]);
      }
    }
  }
}

export function dedupe(records: readonly MatchFeatures[], model: MatchModel, progress?: DedupeProgress): DedupeResult {
  const frequencies = frequenciesOf(records);
  const links: PairDecision[] = [];
  const reviews: PairDecision[] = [];
  let compared = 0;
  forEachBlockedPair(
    records,
    (a, b) => {
      compared++;
      const outcome = decide(model, compare(records[a], records[b]), records[a], records[b], frequencies);
      if (outcome.grade === 'certain') links.push({ a, b, outcome });
      else if (outcome.grade !== 'certainly-not') reviews.push({ a, b, outcome });
    },
    progress,
  );

  progress?.('clustering', 0, links.length);
  const clusters = new Clusters(records);
  const conflicts: PairDecision[] = [];
  // Strongest evidence first, so a conflict blocks the weaker of two competing links.
  links.sort((p, q) => q.outcome.weight - p.outcome.weight);
  const joined: PairDecision[] = [];
  for (const pair of links) (clusters.join(pair.a, pair.b) ? joined : conflicts).push(pair);
  progress?.('clustering', links.length, links.length);
  const { clusterOf, count } = clusters.numbered();
  return { clusterOf, clusters: count, comparedPairs: compared, links: joined, reviews, conflicts };
}

/** Union–find over records that refuses a union bringing two different verified NHS numbers together. */
class Clusters {
  private readonly parent: Int32Array;
  /** Per cluster root: the verified NHS number its records carry (a cluster never holds two). */
  private readonly verifiedNhs: (string | undefined)[];

  constructor(records: readonly MatchFeatures[]) {
    this.parent = Int32Array.from(records, (_, i) => i);
    this.verifiedNhs = records.map((r) => (r.nhsVerified ? r.nhsNumber : undefined));
  }

  private root(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }

  join(a: number, b: number): boolean {
    const ra = this.root(a);
    const rb = this.root(b);
    if (ra === rb) return true;
    const na = this.verifiedNhs[ra];
    const nb = this.verifiedNhs[rb];
    if (na && nb && na !== nb) return false;
    this.parent[rb] = ra;
    this.verifiedNhs[ra] = na ?? nb;
    return true;
  }

  numbered(): { clusterOf: Int32Array; count: number } {
    const numberOf = new Map<number, number>();
    const clusterOf = new Int32Array(this.parent.length);
    for (let i = 0; i < this.parent.length; i++) {
      const r = this.root(i);
      let n = numberOf.get(r);
      if (n === undefined) numberOf.set(r, (n = numberOf.size));
      clusterOf[i] = n;
    }
    return { clusterOf, count: numberOf.size };
  }
}

export interface DedupeReport {
  records: number;
  clusters: number;
  /** Clusters of more than one record: the duplicates found. */
  duplicateClusters: number;
  recordsInDuplicateClusters: number;
  comparedPairs: number;
  links: number;
  reviews: number;
  conflicts: number;
  seconds: number;
  /** Every cluster of more than one record, with the links that joined it. */
  duplicates: { records: string[]; links: { a: string; b: string; probability: number; rule: string }[] }[];
  /** Pairs for a person to look at. */
  review: { a: string; b: string; probability: number; grade: string; explanation: string }[];
}

/** A report of a de-duplication, naming records by `ids` (same order as the records given to dedupe). */
export function dedupeReport(result: DedupeResult, ids: readonly string[], seconds: number): DedupeReport {
  const members = new Map<number, number[]>();
  result.clusterOf.forEach((c, i) => members.set(c, [...(members.get(c) ?? []), i]));
  const linksOf = new Map<number, PairDecision[]>();
  for (const l of result.links) {
    const c = result.clusterOf[l.a];
    linksOf.set(c, [...(linksOf.get(c) ?? []), l]);
  }
  const duplicates = [...members.entries()]
    .filter(([, m]) => m.length > 1)
    .map(([c, m]) => ({
      records: m.map((i) => ids[i]),
      links: (linksOf.get(c) ?? []).map((l) => ({ a: ids[l.a], b: ids[l.b], probability: round(l.outcome.probability), rule: l.outcome.rule })),
    }));
  return {
    records: ids.length,
    clusters: result.clusters,
    duplicateClusters: duplicates.length,
    recordsInDuplicateClusters: duplicates.reduce((s, d) => s + d.records.length, 0),
    comparedPairs: result.comparedPairs,
    links: result.links.length,
    reviews: result.reviews.length,
    conflicts: result.conflicts.length,
    seconds: round(seconds),
    duplicates,
    review: result.reviews.map((r) => ({ a: ids[r.a], b: ids[r.b], probability: round(r.outcome.probability), grade: r.outcome.grade, explanation: explain(r.outcome.comparisons) })),
  };
}

const round = (n: number): number => Number(n.toFixed(4));
