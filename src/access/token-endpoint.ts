// POST /oauth2/token: OAuth 2.0 client credentials grant (RFC 6749 §4.4) with client_secret_basic or
// client_secret_post authentication. SMART Backend Services (private_key_jwt) lands with issue #6.
import { FhirError } from '../fhir/errors.js';
import type { Database } from '../store/index.js';
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
  if (!clientId || !secret) throw new OAuthError('invalid_client', 'Authenticate with client_secret_basic or client_secret_post');
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

export async function handleTokenRequest(db: Database, tokens: TokenService, audience: string, req: TokenRequest): Promise<TokenResponse> {
  if (req.form.grant_type !== 'client_credentials') {
    throw new OAuthError(req.form.grant_type ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials');
  }
  const { clientId, secret } = clientCredentials(req);
  const client = await platform.findClient(db, clientId);
  if (!client || client.disabled || !client.secretHash || !(await verifySecret(secret, client.secretHash))) {
    throw new OAuthError('invalid_client', 'Unknown client or wrong secret');
  }
  const scopes = grantScopes(req.form.scope, client.scopes);
  const { accessToken, expiresIn } = await tokens.issue({ clientId, tenant: client.tenant, roles: client.roles, scopes }, audience);
  return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') };
}
