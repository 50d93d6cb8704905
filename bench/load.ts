// Drives one scenario with autocannon and reports throughput and latency percentiles (including
// p95, which autocannon's summary lacks) from every response time it observed.
import type { EventEmitter } from 'node:events';
import autocannon from 'autocannon';

export interface LoadResult {
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Responses with a 4xx/5xx status. */
  errors: number;
  /** Requests that got no answer within autocannon's timeout (10 s). */
  timeouts?: number;
}

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Varies the path per request (e.g. a different id each time). */
  path?: () => string;
  /** Varies the body per request (e.g. a different query each time). */
  nextBody?: () => string;
}

/** The value at percentile `p` of ascending `sorted` values (NaN when there are none). */
export const percentile = (sorted: readonly number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const times: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    requests:
      spec.path || spec.nextBody
        ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, ...(spec.path ? { path: spec.path() } : {}), ...(spec.nextBody ? { body: spec.nextBody() } : {}) }) }]
        : undefined,
  });
  // Without a callback autocannon returns an emitter that is also a promise; its types only say promise.
  (instance as unknown as EventEmitter).on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
    if (statusCode >= 400) errors++;
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  return {
    connections: spec.connections,
    requests: times.length,
    rps: times.length / spec.durationSeconds,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    errors: errors + result.errors - result.timeouts,
    timeouts: result.timeouts,
  };
}
