// Pairwise precision, recall and F1 of a clustering against the population's labels, and the check
// that no cluster joins two different verified NHS numbers.
import type { MatchFeatures } from '../../src/identity/features.js';

export interface Evaluation {
  records: number;
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** Clusters holding records with two different valid, verified NHS numbers (must be 0). */
  verifiedNhsConflicts: number;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

export function evaluate(persons: ArrayLike<number>, clusterOf: ArrayLike<number>, features: readonly MatchFeatures[]): Evaluation {
  const byPerson = new Map<number, number>();
  const byCluster = new Map<number, number>();
  const byCell = new Map<string, number>();
  const verifiedInCluster = new Map<number, Set<string>>();
  for (let i = 0; i < persons.length; i++) {
    byPerson.set(persons[i], (byPerson.get(persons[i]) ?? 0) + 1);
    byCluster.set(clusterOf[i], (byCluster.get(clusterOf[i]) ?? 0) + 1);
    const cell = `${clusterOf[i]}/${persons[i]}`;
    byCell.set(cell, (byCell.get(cell) ?? 0) + 1);
    const f = features[i];
    if (f.nhsVerified && f.nhsNumber) {
      const set = verifiedInCluster.get(clusterOf[i]) ?? new Set<string>();
      set.add(f.nhsNumber);
      verifiedInCluster.set(clusterOf[i], set);
    }
  }
  const sum = (m: Map<unknown, number>) => [...m.values()].reduce((s, n) => s + pairs(n), 0);
  const truePairs = sum(byPerson);
  const predictedPairs = sum(byCluster);
  const truePositives = sum(byCell);
  const precision = predictedPairs ? truePositives / predictedPairs : 1;
  const recall = truePairs ? truePositives / truePairs : 1;
  return {
    records: persons.length,
    truePairs,
    predictedPairs,
    truePositives,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    verifiedNhsConflicts: [...verifiedInCluster.values()].filter((s) => s.size > 1).length,
  };
}
