// Registering OAuth clients: a generated secret, shown once, stored only as a hash; or, for SMART
// Backend Services (private_key_jwt), the client's public JWK Set and no secret at all.
import type { Queryable } from '../store/index.js';
import { platform } from '../store/index.js';
import { PLATFORM_INTERNAL_CLIENT } from '../fhir/context.js';
import { FhirError } from '../fhir/errors.js';
import { generateSecret, hashSecret } from './secrets.js';

export const DEFAULT_CLIENT_SCOPES = ['system/*.cruds'];

export interface NewClient {
  clientId: string;
  name?: string;
  /** Tenant the client acts for; undefined for a platform-level client. */
  tenant?: string;
  roles: string[];
  scopes?: string[];
  /** Public keys the client signs its assertions with (private_key_jwt); no secret is issued then. */
  jwks?: unknown;
}

/** A JWK Set of public RSA or EC keys: what a client registers for private_key_jwt. */
function checkJwks(jwks: unknown): { keys: Record<string, unknown>[] } {
  const keys = (jwks as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new FhirError('invalid', { diagnostics: 'A JWK Set is {"keys": [ … ]} with at least one key', expression: 'jwks' });
  keys.forEach((k: Record<string, unknown>, i) => {
    if (k.kty !== 'RSA' && k.kty !== 'EC') throw new FhirError('invalid', { diagnostics: `jwks.keys[${i}]: kty must be RSA or EC`, expression: `jwks.keys[${i}].kty` });
    if ('d' in k) throw new FhirError('invalid', { diagnostics: `jwks.keys[${i}] is a private key: register the public key only`, expression: `jwks.keys[${i}].d` });
  });
  return { keys };
}

/** Creates the client and returns its secret (the only time it is available in clear), or none for a JWK Set client. */
export async function registerClient(db: Queryable, c: NewClient & { jwks?: undefined }): Promise<{ clientId: string; clientSecret: string }>;
export async function registerClient(db: Queryable, c: NewClient): Promise<{ clientId: string; clientSecret?: string }>;
export async function registerClient(db: Queryable, c: NewClient): Promise<{ clientId: string; clientSecret?: string }> {
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(c.clientId)) throw new FhirError('invalid', { diagnostics: 'A client id is 3-64 of A-Z a-z 0-9 . _ -', expression: 'clientId' });
  if (c.clientId === PLATFORM_INTERNAL_CLIENT) throw new FhirError('invalid', { diagnostics: `'${PLATFORM_INTERNAL_CLIENT}' is reserved for the platform's own processes`, expression: 'clientId' });
  if (c.tenant && !(await platform.listTenants(db)).some((t) => t.id === c.tenant)) {
    throw new FhirError('invalid', { diagnostics: `Unknown tenant '${c.tenant}'`, expression: 'tenant' });
  }
  if (await platform.findClient(db, c.clientId)) throw new FhirError('conflict', { diagnostics: `Client '${c.clientId}' already exists` });
  const jwks = c.jwks === undefined ? undefined : checkJwks(c.jwks);
  const clientSecret = jwks ? undefined : generateSecret();
  await platform.insertClient(db, {
    clientId: c.clientId,
    name: c.name ?? c.clientId,
    tenant: c.tenant,
    ...(clientSecret ? { secretHash: await hashSecret(clientSecret) } : {}),
    ...(jwks ? { jwks } : {}),
    roles: c.roles,
    scopes: c.scopes ?? DEFAULT_CLIENT_SCOPES,
    disabled: false,
  });
  return clientSecret ? { clientId: c.clientId, clientSecret } : { clientId: c.clientId };
}
