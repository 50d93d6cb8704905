// An acknowledged write survives a crash: the platform is started as `npm start` would run it
// (a child process on a data directory), killed with SIGKILL after a write, and started again.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { provisionProcessEnvironment, testDatabases } from './support/databases.js';
import { freePort, startPlatformFromSource, stopProcess } from './support/net.js';



const START_MS = 60_000;
const start = (env: Record<string, string>): Promise<ChildProcess> => startPlatformFromSource(env, START_MS);
const killed = (child: ChildProcess): Promise<void> => stopProcess(child, 'SIGKILL');

describe.each(await testDatabases())('durability on $name', (database) => {
  it('keeps an acknowledged write, the clients and the signing key across a SIGKILL', async () => {
    const provisioned = await provisionProcessEnvironment(database, 'scip-durability-');
    const { dataDir } = provisioned;
    const port = String(await freePort());
    const env = { ...provisioned.env, PORT: port };
    const base = `http://127.0.0.1:${port}`;
    let child = await start(env);
    try {
      const creds = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as { clients: { clientId: string; clientSecret: string }[] };
      const { clientId, clientSecret } = creds.clients[0];
      const tokenRes = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
      const token = ((await tokenRes.json()) as { access_token: string }).access_token;
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' };
      const created = await fetch(`${base}/tenants/sunrise-care/fhir/Patient`, { method: 'POST', headers, body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Durable' }] }) });
      expect(created.status).toBe(201);
      const written = await created.text();
      const id = (JSON.parse(written) as { id: string }).id;

      await killed(child);
      child = await start(env);

      // The same token still verifies (the key persisted) and the write is there, byte for byte.
      const read = await fetch(`${base}/tenants/sunrise-care/fhir/Patient/${id}`, { headers });
      expect(read.status).toBe(200);
      expect(await read.text()).toBe(written);
      // The demo clients were not recreated: the first secret still works.
      const again = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) });
      expect(again.status).toBe(200);
    } finally {
      await killed(child);
      await provisioned.cleanup();
    }
    // Two starts of up to START_MS each: the embedded database's first start runs initdb.
  }, 2 * START_MS + 30_000);
});
