// A FHIR client library we did not write (fhir-kit-client) drives the server over a real socket:
// create, read, update, search with paging, transaction and history.
import { Client } from 'fhir-kit-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { freePort } from './support/net.js';
import { startTestPlatform } from './support/platform.js';
import type { TestPlatform } from './support/platform.js';

describe.each(await testDatabases())('fhir-kit-client against the server on $name', (database) => {
  let t: TestPlatform;
  let client: Client;
  beforeAll(async () => {
    // Links carry the public URL, so the platform must know the real address before it listens.
    const port = await freePort();
    t = await startTestPlatform(database, { publicUrl: `http://127.0.0.1:${port}` });
    await t.app.listen({ host: '127.0.0.1', port });
    client = new Client({ baseUrl: `http://127.0.0.1:${port}/tenants/city-hospital/fhir`, bearerToken: await t.token('city-hospital-system') });
  });
  afterAll(async () => t?.close());

  it('creates, reads, updates and reads history', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kit', given: ['Fhir'] }] } })) as unknown as { id: string };
    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as unknown as { name: { family: string }[] };
    expect(read.name[0].family).toBe('Kit');
    await client.update({ resourceType: 'Patient', id: created.id, body: { resourceType: 'Patient', id: created.id, name: [{ family: 'Kit-Updated' }] } });
    const history = (await client.history({ resourceType: 'Patient', id: created.id })) as unknown as { total: number };
    expect(history.total).toBe(2);
  });

  it('searches and follows next links to the end', async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      resource: { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' }, identifier: [{ system: 'urn:kit', value: String(i) }] },
      request: { method: 'POST', url: 'Encounter' },
    }));
    const tx = (await client.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry: entries } })) as unknown as { entry: unknown[] };
    expect(tx.entry).toHaveLength(12);
    type Page = Parameters<Client['nextPage']>[0]['bundle'] & { entry?: { resource: { id: string } }[] };
    let page: Page | undefined = (await client.search({ resourceType: 'Encounter', searchParams: { class: 'EMER', _count: 5 } })) as Page;
    const seen: string[] = [];
    while (page) {
      seen.push(...(page.entry ?? []).map((e) => e.resource.id));
      page = (await client.nextPage({ bundle: page })) as Page | undefined;
    }
    expect(new Set(seen).size).toBe(12);
  });
});

