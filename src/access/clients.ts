// Registering OAuth clients: a generated secret, shown once, stored only as a hash.
import type { Queryable } from '../store/index.js';
import { platform } from '../store/index.js';
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
}

/** Creates the client and returns its secret (the only time it is available in clear). */
export async function registerClient(db: Queryable, c: NewClient): Promise<{ clientId: string; clientSecret: string }> {
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(c.clientId)) throw new FhirError('invalid', { diagnostics: 'A client id is 3-64 of A-Z a-z 0-9 . _ -', expression: 'clientId' });
  if (c.tenant && !(await platform.listTenants(db)).some((t) => t.id === c.tenant)) {
    throw new FhirError('invalid', { diagnostics: `Unknown tenant '${c.tenant}'`, expression: 'tenant' });
  }
  if (await platform.findClient(db, c.clientId)) throw new FhirError('conflict', { diagnostics: `Client '${c.clientId}' already exists` });
  const clientSecret = generateSecret();
  await platform.insertClient(db, {
    clientId: c.clientId,
    name: c.name ?? c.clientId,
    tenant: c.tenant,
    secretHash: await hashSecret(clientSecret),
    roles: c.roles,
    scopes: c.scopes ?? DEFAULT_CLIENT_SCOPES,
    disabled: false,
  });
  return { clientId: c.clientId, clientSecret };
}
