// Creating tenants (data provision layers), for the CLI and the admin API alike.
import { FhirError } from '../fhir/errors.js';
import type { Queryable, TenantRecord } from '../store/index.js';
import { platform } from '../store/index.js';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Creates the tenant, or renames it when it exists. The id becomes part of its base URLs. */
export async function addTenant(q: Queryable, tenant: TenantRecord, centralTenant: string): Promise<TenantRecord> {
  if (!TENANT_ID.test(tenant.id) || tenant.id === centralTenant) {
    throw new FhirError('invalid', { diagnostics: `A tenant id is 2-63 of a-z 0-9 - (starting with a letter or digit), not '${centralTenant}'`, expression: 'id' });
  }
  if (!tenant.name.trim()) throw new FhirError('invalid', { diagnostics: 'A tenant needs a name', expression: 'name' });
  await platform.upsertTenant(q, tenant);
  return tenant;
}
