// POST /oauth2/token: OAuth 2.0 client credentials grant (RFC 6749 §4.4), the client authenticated by
// client_secret_basic, client_secret_post, or private_key_jwt (SMART Backend Services: a JWT signed with
// a key of the client's registered JWK Set, RFC 7523).
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { FhirError } from '../fhir/errors.js';
import type { ClientRecord, Database } from '../store/index.js';
import { platform } from '../store/index.js';
import { verifySecret } from './secrets.js';
import type { TokenService } from './tokens.js';

export interface TokenRequest {
  form: Record<string, string | undefined>;
  authorization?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** An OAuth error: FhirError for the status and OperationOutcome, plus the RFC 6749 error code. */
export class OAuthError extends FhirError {
  constructor(
    readonly oauthError: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope',
    description: string,
  ) {
    super(oauthError === 'invalid_client' ? 'unauthorized' : 'invalid', { diagnostics: description, code: oauthError === 'invalid_client' ? 'login' : 'invalid' });
  }
}

function clientCredentials(req: TokenRequest): { clientId: string; secret: string } {
  const auth = req.authorization;
  if (auth?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials');
    return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const { client_id: clientId, client_secret: secret } = req.form;
  if (!clientId || !secret) throw new OAuthError('invalid_client', 'Authenticate with client_secret_basic, client_secret_post or private_key_jwt');
  return { clientId, secret };
}

/** Scopes granted: those requested that the client holds (all of them when none are requested). */
function grantScopes(requested: string | undefined, held: string[]): string[] {
  if (!requested) return held;
  const wanted = requested.split(' ').filter(Boolean);
  const granted = wanted.filter((s) => held.includes(s));
  if (granted.length === 0) throw new OAuthError('invalid_scope', `None of the requested scopes (${requested}) is granted to this client`);
  return granted;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The algorithms SMART Backend Services names, and their 256-bit siblings. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'];
/** Clock difference tolerated between the client and us. */
const CLOCK_SKEW_SECONDS = 60;
/** An assertion may live at most this long (SMART: exp no more than five minutes ahead). */
const MAX_ASSERTION_SECONDS = 300;

/** The client a private_key_jwt assertion authenticates, once its signature, claims and freshness are checked. */
async function assertedClient(db: Database, assertion: string, tokenUrl: string): Promise<ClientRecord> {
  let clientId: string | undefined;
  try {
    clientId = decodeJwt(assertion).iss;
  } catch {
    throw new OAuthError('invalid_client', 'client_assertion is not a JWT');
  }
  const client = clientId ? await platform.findClient(db, clientId) : undefined;
  if (!client || client.disabled || !client.jwks) throw new OAuthError('invalid_client', 'Unknown client, or a client without a registered JWK Set');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks as JSONWebKeySet), {
      issuer: client.clientId,
      subject: client.clientId,
      audience: tokenUrl,
      algorithms: ASSERTION_ALGORITHMS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ['exp', 'jti'],
    }));
  } catch (err) {
    throw new OAuthError('invalid_client', `client_assertion refused: ${(err as Error).message}`);
  }
  const exp = payload.exp as number;
  if (exp > Date.now() / 1000 + MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS) throw new OAuthError('invalid_client', `client_assertion expires more than ${MAX_ASSERTION_SECONDS} s ahead`);
  if (!(await platform.rememberAssertion(db, client.clientId, payload.jti as string, new Date((exp + CLOCK_SKEW_SECONDS) * 1000)))) {
    throw new OAuthError('invalid_client', 'client_assertion was used before (jti replayed)');
  }
  return client;
}

async function authenticatedClient(db: Database, req: TokenRequest, tokenUrl: string): Promise<ClientRecord> {
  if (req.form.client_assertion_type !== undefined || req.form.client_assertion !== undefined) {
    if (req.form.client_assertion_type !== JWT_BEARER || !req.form.client_assertion) throw new OAuthError('invalid_request', `private_key_jwt needs client_assertion_type ${JWT_BEARER} and client_assertion`);
    return assertedClient(db, req.form.client_assertion, tokenUrl);
  }
  const { clientId, secret } = clientCredentials(req);
  const client = await platform.findClient(db, clientId);
  if (!client || client.disabled || !client.secretHash || !(await verifySecret(secret, client.secretHash))) {
    throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
  }
  return client;
}

/** `audience`: the platform's origin; the token endpoint (the assertions' audience) is `{audience}/oauth2/token`. */
export async function handleTokenRequest(db: Database, tokens: TokenService, audience: string, req: TokenRequest): Promise<TokenResponse> {
  if (req.form.grant_type !== 'client_credentials') {
    throw new OAuthError(req.form.grant_type ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
  }
  const client = await authenticatedClient(db, req, `${audience}/oauth2/token`);
  const clientId = client.clientId;
  const scopes = grantScopes(req.form.scope, client.scopes);
  // A tenant's clients act for its organisation (its ODS code), the party relationships and consent name.
  const organisation = client.tenant ? (await platform.findTenant(db, client.tenant))?.odsCode : undefined;
  const { accessToken, expiresIn } = await tokens.issue({ clientId, tenant: client.tenant, ...(organisation ? { organisation } : {}), roles: client.roles, scopes }, audience);
  return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') };
}
