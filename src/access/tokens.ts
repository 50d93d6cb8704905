// Access tokens: short-lived JWTs the platform signs for authenticated clients, and their verification.
import { jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { FhirError } from '../fhir/errors.js';
import type { Principal } from '../fhir/context.js';
import type { SigningKeys } from './signing-keys.js';
import { SIGNING_ALGORITHM } from './signing-keys.js';

export interface TokenService {
  issue(principal: Principal, audience: string): Promise<{ accessToken: string; expiresIn: number }>;
  /** The principal a bearer token stands for; throws FhirError('unauthorized') when it is not valid. */
  verify(token: string): Promise<Principal>;
}

export interface TokenOptions {
  issuer: string;
  ttlSeconds: number;
}

const unauthorized = (diagnostics: string): FhirError =>
  new FhirError('unauthorized', { diagnostics, code: 'login' }, { 'www-authenticate': 'Bearer error="invalid_token"' });

/** Verified tokens are remembered until they expire, so each request does not redo the signature check. */
const MAX_CACHED_TOKENS = 10_000;

export function createTokenService(keys: SigningKeys, options: TokenOptions): TokenService {
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const remember = (token: string, principal: Principal, exp: number | undefined): void => {
    if (verified.size >= MAX_CACHED_TOKENS) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, expiresAt: (exp ?? 0) * 1000 });
  };
  return {
    async issue(principal, audience) {
      const accessToken = await new SignJWT({
        tenant: principal.tenant,
        roles: principal.roles,
        scope: principal.scopes.join(' '),
      })
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: keys.current.kid, typ: 'at+jwt' })
        .setIssuer(options.issuer)
        .setSubject(principal.clientId)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .setJti(crypto.randomUUID())
        .sign(keys.current.key);
      return { accessToken, expiresIn: options.ttlSeconds };
    },
    async verify(token) {
      const cached = verified.get(token);
      if (cached && cached.expiresAt > Date.now()) return cached.principal;
      if (cached) verified.delete(token);
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw unauthorized('The bearer token is not a JWT');
      }
      const key = await keys.verificationKey(kid);
      if (!key) throw unauthorized('The bearer token was not signed by this platform');
      try {
        const { payload } = await jwtVerify(token, key, { issuer: options.issuer, algorithms: [SIGNING_ALGORITHM] });
        const principal: Principal = {
          clientId: String(payload.sub),
          tenant: typeof payload.tenant === 'string' ? payload.tenant : undefined,
          roles: Array.isArray(payload.roles) ? payload.roles.map(String) : [],
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        };
        remember(token, principal, payload.exp);
        return principal;
      } catch (err) {
        const code = (err as { code?: string }).code;
        throw unauthorized(code === 'ERR_JWT_EXPIRED' ? 'The bearer token has expired' : 'The bearer token is not valid');
      }
    },
  };
}
