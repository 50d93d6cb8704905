// Per-client rate limits (token buckets): each client may make `perSecond` requests a second, in
// bursts of up to twice that; the token endpoint is limited per network address the same way. Beyond
// it: 429, an OperationOutcome and Retry-After. In process: each platform process keeps its own
// buckets, so a client spread over n central processes gets n times the rate.
import { FhirError } from '../fhir/errors.js';

interface Bucket {
  tokens: number;
  updated: number;
}

/** Buckets idle this long are forgotten (they would be full again anyway). */
const IDLE_MS = 60_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweeps = 0;

  /** `perSecond` 0 turns the limit off. */
  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one request from `key`'s bucket, or throws 429 saying when to retry. */
  take(key: string, who: string): void {
    if (this.perSecond <= 0) return;
    const now = this.now();
    const capacity = this.perSecond * 2;
    const b = this.buckets.get(key) ?? { tokens: capacity, updated: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.updated) / 1000) * this.perSecond);
    b.updated = now;
    this.buckets.set(key, b);
    if (++this.sweeps % 10_000 === 0) this.sweep(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    throw new FhirError('busy', { diagnostics: `${who} is over its rate limit of ${this.perSecond} requests a second; retry after ${retryAfter} s`, code: 'throttled' }, { 'retry-after': String(retryAfter) });
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.updated > IDLE_MS) this.buckets.delete(key);
  }
}
