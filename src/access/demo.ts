// The all-in-one default's demo world: three tenants and a client for each plus a platform admin.
// Secrets are generated at first start, printed once and written to <data dir>/dev-credentials.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, TenantRecord } from '../store/index.js';
import { platform } from '../store/index.js';
import { registerClient } from './clients.js';

export const DEMO_TENANTS: readonly TenantRecord[] = [
  { id: 'sunrise-care', name: 'Sunrise Care Home', kind: 'care-home' },
  { id: 'meadow-homecare', name: 'Meadow Homecare', kind: 'home-care' },
  { id: 'city-hospital', name: 'City Hospital NHS Trust', kind: 'acute-trust' },
];

export interface DevCredentials {
  tokenUrl: string;
  clients: { clientId: string; clientSecret: string; tenant?: string; roles: string[] }[];
}

/**
 * Creates the demo tenants and, when the platform has no clients yet, demo clients with fresh
 * secrets. Returns the credentials when it created them (undefined when they already existed).
 */
export async function ensureDemoWorld(db: Database, tokenUrl: string, dataDir: string | undefined): Promise<DevCredentials | undefined> {
  for (const t of DEMO_TENANTS) await platform.upsertTenant(db, t);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7245033)');
    if ((await platform.countClients(tx)) > 0) return undefined;
    const creds: DevCredentials = { tokenUrl, clients: [] };
    const add = async (clientId: string, name: string, tenant: string | undefined, roles: string[]): Promise<void> => {
      const { clientSecret } = await registerClient(tx, { clientId, name, tenant, roles });
      creds.clients.push({ clientId, clientSecret, tenant, roles });
    };
    for (const t of DEMO_TENANTS) await add(`${t.id}-system`, `${t.name} (system client)`, t.id, ['system']);
    await add('platform-admin', 'Platform administrator', undefined, ['platform-admin']);
    if (dataDir) writeFileSync(join(dataDir, 'dev-credentials.json'), `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
    return creds;
  });
}
