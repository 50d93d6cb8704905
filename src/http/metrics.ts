// GET /metrics in the Prometheus text format: request counts and latencies by route and status,
// the change feed's backlog, plus the Node.js process metrics. Operators scrape it with a platform-admin bearer token.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Platform } from '../platform.js';
import { authenticateWithRole, PLATFORM_ADMIN } from './authenticate.js';

export async function metricsRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  // One registry per app, so several platforms in one process (tests) do not share counters.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'scip_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'scip_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'scip_change_outbox_backlog',
    help: 'Tenant writes not yet digested by the change feed (registration, record locator)',
    registers: [registry],
    async collect() {
      this.set(await platform.repo.federation.backlog());
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids must not become label values.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (request, reply) => {
    await authenticateWithRole(platform.tokens, request, [PLATFORM_ADMIN], 'Metrics are for platform administrators');
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
