import { describe, expect, it } from 'vitest';
import { FhirError } from '../fhir/errors.js';
import { RateLimiter } from './rate-limit.js';

describe('rate limiter', () => {
  it('lets a burst of twice the rate through, then refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    for (let i = 0; i < 4; i++) limiter.take('c', 'C');
    let refused: unknown;
    try {
      limiter.take('c', 'C');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(FhirError);
    expect((refused as FhirError).status).toBe(429);
    expect((refused as FhirError).headers['retry-after']).toBe('1');
    limiter.take('other', 'Other');
    now = 500; // half a second: one request's worth at 2 a second
    limiter.take('c', 'C');
    expect(() => limiter.take('c', 'C')).toThrow(/rate limit of 2/);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0, () => 0);
    for (let i = 0; i < 10_000; i++) limiter.take('c', 'C');
  });
});
