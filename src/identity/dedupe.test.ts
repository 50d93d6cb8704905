import { describe, expect, it } from 'vitest';
import { population } from '../../bench/identity/population.js';
import { evaluate } from '../../bench/identity/evaluate.js';
import { dedupe } from './dedupe.js';
import { featuresOf } from './features.js';
import { DEFAULT_MODEL } from './model.js';

describe('batch de-duplication', () => {
  it('clusters a labelled population with high precision and recall and never joins verified NHS numbers', () => {
    const records = population({ persons: 2_000, duplicateShare: 0.3, seed: 11 });
    const features = records.map((r) => featuresOf(r.patient));
    const result = dedupe(features, DEFAULT_MODEL);
    const ev = evaluate(records.map((r) => r.person), result.clusterOf, features);
    expect(ev.truePairs).toBeGreaterThan(500);
    expect(ev.precision).toBeGreaterThan(0.99);
    expect(ev.recall).toBeGreaterThan(0.97);
    expect(ev.verifiedNhsConflicts).toBe(0);
    expect(result.reviews.length).toBeGreaterThan(0);
  });
});
