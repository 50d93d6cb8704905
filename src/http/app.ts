// Builds the Fastify application on a started Platform: parsers, error handling, correlation ids,
// and one route module per capability.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../platform.js';
import { registerContentParsers } from './content.js';
import { accessAdminRoutes } from './access-admin-routes.js';
import { adminRoutes } from './admin-routes.js';
import { registerAudit } from './audit.js';
import { frameworkErrorHandler, registerErrorHandling } from './errors.js';
import { fhirRoutes } from './fhir-routes.js';
import { metricsRoutes } from './metrics.js';
import { modsRoutes } from './mods-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { RateLimiter } from './rate-limit.js';
import { registrationRoutes } from './registration-routes.js';
import { tenantDirectory } from './tenants.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests a second per authenticated client. */
    clientLimits: RateLimiter;
    /** Token requests a second per network address. */
    tokenLimits: RateLimiter;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(platform: Platform, options: { logger?: boolean | object } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: platform.config.logLevel },
    bodyLimit: platform.config.maxBodyBytes,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'] ?? req.headers['x-correlation-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    frameworkErrors: frameworkErrorHandler,
  });
  app.decorate('clientLimits', new RateLimiter(platform.config.rateLimitPerSecond));
  app.decorate('tokenLimits', new RateLimiter(platform.config.tokenRateLimitPerSecond));
  registerContentParsers(app, platform.config.maxBodyBytes);
  registerErrorHandling(app);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  if (platform.config.unsafeDisableAudit) app.log.warn('SCIP_UNSAFE_DISABLE_AUDIT is set: requests are NOT audited (benchmarking only)');
  else registerAudit(app, platform);
  app.get('/healthz', async () => ({ status: 'ok' }));
  await metricsRoutes(app, platform);
  // A DPL with its own store verifies the central platform's tokens; clients and tenants are kept centrally.
  if (platform.authorisationServer) {
    await oauthRoutes(app, platform);
    adminRoutes(app, platform);
  }
  accessAdminRoutes(app, platform);
  const requireTenant = await tenantDirectory(platform);
  fhirRoutes(app, platform, requireTenant);
  registrationRoutes(app, platform, requireTenant);
  modsRoutes(app, platform, requireTenant);
  return app;
}
