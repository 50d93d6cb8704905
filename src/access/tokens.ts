// Access tokens: short-lived JWTs the platform signs for authenticated clients, and their verification;
// also tokens of a configured external identity provider, checked against its JWK Set and mapped to
// our roles.
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import type { JWTPayload } from 'jose';
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
  /** Tokens from this provider are accepted too (docs/security.md). */
  externalIdp?: ExternalIdp;
}

/** An external identity provider whose access tokens are accepted besides our own. */
export interface ExternalIdp {
  issuer: string;
  jwksUrl: string;
  /** Required `aud`, when set. */
  audience?: string;
  /** The claim holding the user's roles (an array or a space-separated string). */
  roleClaim: string;
  /** The claim naming the tenant the user acts for. */
  tenantClaim: string;
  /** The claim holding the ODS code of the organisation the user acts for. */
  organisationClaim: string;
  /** The provider's role → our role; roles not listed are dropped. */
  roles: ReadonlyMap<string, string>;
}

/** The algorithms accepted from an external identity provider. */
const EXTERNAL_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'];

/** Our principal for an external provider's token: its roles mapped (unmapped ones dropped). */
function externalPrincipal(payload: JWTPayload, idp: ExternalIdp): Principal {
  const raw = payload[idp.roleClaim];
  const theirs = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(' ') : [];
  const tenant = payload[idp.tenantClaim];
  const organisation = payload[idp.organisationClaim];
  const clientId = payload.client_id ?? payload.azp ?? payload.sub;
  return {
    clientId: `${idp.issuer}#${String(clientId)}`,
    ...(typeof tenant === 'string' ? { tenant } : {}),
    ...(typeof organisation === 'string' ? { organisation } : {}),
    roles: [...new Set(theirs.flatMap((r) => (idp.roles.has(r) ? [idp.roles.get(r) as string] : [])))],
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
  };
}

const unauthorized = (diagnostics: string): FhirError =>
  new FhirError('unauthorized', { diagnostics, code: 'login' }, { 'www-authenticate': 'Bearer error="invalid_token"' });

/** Verified tokens are remembered until they expire, so each request does not redo the signature check. */
const MAX_CACHED_TOKENS = 10_000;

export function createTokenService(keys: SigningKeys, options: TokenOptions): TokenService {
  const idp = options.externalIdp;
  const idpKeys = idp ? createRemoteJWKSet(new URL(idp.jwksUrl)) : undefined;
  const verifyExternal = async (token: string): Promise<{ principal: Principal; exp?: number }> => {
    if (!idp || !idpKeys) throw unauthorized('The bearer token was not signed by this platform');
    try {
      const { payload } = await jwtVerify(token, idpKeys, { issuer: idp.issuer, algorithms: EXTERNAL_ALGORITHMS, ...(idp.audience ? { audience: idp.audience } : {}), requiredClaims: ['exp'] });
      return { principal: externalPrincipal(payload, idp), exp: payload.exp };
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw unauthorized(code === 'ERR_JWT_EXPIRED' ? 'The bearer token has expired' : `The identity provider's token is not valid (${(err as Error).message})`);
    }
  };
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  const remember = (token: string, principal: Principal, exp: number | undefined): void => {
    if (verified.size >= MAX_CACHED_TOKENS) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, expiresAt: (exp ?? 0) * 1000 });
  };
  return {
    async issue(principal, audience) {
      const accessToken = await new SignJWT({
        tenant: principal.tenant,
        organisation: principal.organisation,
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
      let iss: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
        iss = decodeJwt(token).iss;
      } catch {
        throw unauthorized('The bearer token is not a JWT');
      }
      if (idp && iss === idp.issuer && iss !== options.issuer) {
        const { principal, exp } = await verifyExternal(token);
        remember(token, principal, exp);
        return principal;
      }
      const key = await keys.verificationKey(kid);
      if (!key) throw unauthorized('The bearer token was not signed by this platform');
      try {
        const { payload } = await jwtVerify(token, key, { issuer: options.issuer, algorithms: [SIGNING_ALGORITHM] });
        const principal: Principal = {
          clientId: String(payload.sub),
          tenant: typeof payload.tenant === 'string' ? payload.tenant : undefined,
          ...(typeof payload.organisation === 'string' ? { organisation: payload.organisation } : {}),
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
