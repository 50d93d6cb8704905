// Which tenant ids exist: known at start, refreshed when a request names one we have not seen (a tenant
// added by the CLI while the platform runs, which then gets the MODS catalogue installed). The central
// store is not a tenant base.
import { FhirError } from '../fhir/errors.js';
import { installCatalogue } from '../mods/index.js';
import { CENTRAL_TENANT } from '../platform.js';
import type { Platform } from '../platform.js';
import { platform as platformRecords } from '../store/index.js';

/** Resolves when the tenant exists; 404 otherwise. */
export type RequireTenant = (id: string) => Promise<void>;

export async function tenantDirectory(platform: Platform): Promise<RequireTenant> {
  const tenants = new Set((await platformRecords.listTenants(platform.db)).map((t) => t.id));
  // One refresh at a time, so a new tenant's catalogue is installed once.
  let refreshing: Promise<void> | undefined;
  const refresh = async (): Promise<void> => {
    const added = (await platformRecords.listTenants(platform.db)).filter((t) => !tenants.has(t.id)).map((t) => t.id);
    await installCatalogue(platform.repo, added);
    for (const id of added) tenants.add(id);
  };
  return async (id) => {
    if (id === CENTRAL_TENANT) throw new FhirError('not-found', { diagnostics: `Unknown tenant '${id}'` });
    // In the distributed topology a tenant's bases are served by its own DPL process, not this one.
    if (!platform.servesTenant(id)) throw new FhirError('not-found', { diagnostics: `Tenant '${id}' is not served by this process (distributed topology: ask its data provision layer)` });
    if (tenants.has(id)) return;
    refreshing ??= refresh().finally(() => (refreshing = undefined));
    await refreshing;
    if (!tenants.has(id)) throw new FhirError('not-found', { diagnostics: `Unknown tenant '${id}'` });
  };
}
