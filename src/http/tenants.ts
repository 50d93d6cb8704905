// Which tenant ids exist: known at start, refreshed when a request names one we have not seen (a tenant
// added by the CLI while the platform runs). The central store is not a tenant base.
import { FhirError } from '../fhir/errors.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { Platform } from '../platform.js';
import { platform as platformRecords } from '../store/index.js';

export async function tenantDirectory(platform: Platform): Promise<(id: string) => Promise<void>> {
  const tenants = new Set((await platformRecords.listTenants(platform.db)).map((t) => t.id));
  return async (id) => {
    if (id === CENTRAL_TENANT) throw new FhirError('not-found', { diagnostics: `Unknown tenant '${id}'` });
    if (tenants.has(id)) return;
    for (const t of await platformRecords.listTenants(platform.db)) tenants.add(t.id);
    if (!tenants.has(id)) throw new FhirError('not-found', { diagnostics: `Unknown tenant '${id}'` });
  };
}
