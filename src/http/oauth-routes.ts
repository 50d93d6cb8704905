// OAuth 2.0 / SMART endpoints: discovery, token issue, signing keys (all public).
import type { FastifyInstance } from 'fastify';
import { ASSERTION_ALGORITHMS, handleTokenRequest } from '../access/index.js';
import type { Platform } from '../platform.js';
import { auditNote } from './audit.js';

/** The client id of HTTP Basic credentials, for the audit of a token request. */
function basicUser(authorization: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  try {
    return m ? decodeURIComponent(Buffer.from(m[1], 'base64').toString('utf8').split(':')[0]) : undefined;
  } catch {
    return undefined; // malformed credentials: the token endpoint itself says so
  }
}

export async function oauthRoutes(app: FastifyInstance, platform: Platform): Promise<void> {
  const origin = platform.config.publicUrl;
  app.get('/.well-known/smart-configuration', async () => ({
    issuer: origin,
    token_endpoint: `${origin}/oauth2/token`,
    jwks_uri: `${origin}/oauth2/jwks`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: ['system/*.cruds', 'system/*.rs'],
    capabilities: ['client-confidential-symmetric', 'client-confidential-asymmetric'],
  }));
  app.get('/oauth2/jwks', async () => ({ keys: platform.keys.publicJwks }));
  app.post('/oauth2/token', async (request, reply) => {
    const pairs = Array.isArray(request.body) ? (request.body as [string, string][]) : [];
    const form = Object.fromEntries(pairs);
    auditNote(request).principal = { clientId: form.client_id ?? basicUser(request.headers.authorization) ?? 'anonymous', roles: [], scopes: [] };
    // Per address, before any secret is checked: guessing secrets is slow.
    app.tokenLimits.take(`address:${request.ip}`, `Address ${request.ip}`);
    const token = await handleTokenRequest(platform.db, platform.tokens, origin, { form, authorization: request.headers.authorization });
    return reply.header('cache-control', 'no-store').send(token);
  });
}
