import { describe, expect, it } from 'vitest';
import { evaluate } from '../../bench/identity/evaluate.js';
import { population } from '../../bench/identity/population.js';
import { dedupe } from './dedupe.js';
import { estimateModel } from './estimate.js';
import { featuresOf } from './features.js';
import { DEFAULT_MODEL } from './model.js';

describe('estimating the model without labels', () => {
  it('recovers the number of matches and an m that links as well as the defaults', () => {
    const records = population({ persons: 3_000, duplicateShare: 0.3, seed: 11 });
    const features = records.map((r) => featuresOf(r.patient));
    const estimate = estimateModel(features, DEFAULT_MODEL, { randomPairs: 50_000 });
    const truePairs = evaluate(records.map((r) => r.person), records.map((r) => r.person), features).truePairs;
    expect(estimate.expectedMatches).toBeGreaterThan(truePairs * 0.75);
    expect(estimate.expectedMatches).toBeLessThan(truePairs * 1.25);
    expect(estimate.model.m.given[0]).toBeGreaterThan(0.6);
    expect(estimate.model.u.birthDate[0]).toBeLessThan(0.001);
    const linked = dedupe(features, estimate.model);
    const ev = evaluate(records.map((r) => r.person), linked.clusterOf, features);
    expect(ev.precision).toBeGreaterThan(0.99);
    expect(ev.f1).toBeGreaterThan(0.98);
  });
});
