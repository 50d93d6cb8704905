// End-to-end batch and transaction Bundles: atomicity, urn:uuid and conditional references,
// conditional entries, processing order and response shape, on both databases.
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { startTestPlatform, suitePlatform } from './support/platform.js';
import type { TestPlatform } from './support/platform.js';

const B = '/tenants/meadow-homecare/fhir';
const AS = 'meadow-homecare-system';

describe.each(await testDatabases())('batch and transaction on $name', (database) => {
  const t = suitePlatform(database);

  const post = (body: unknown): ReturnType<TestPlatform['call']> => t.call('POST', B, { body, as: AS });
  const count = async (query: string): Promise<number> => (await t.call('GET', `${B}/${query}&_total=accurate&_count=0`, { as: AS })).json.total;

  it('commits a transaction atomically, resolving urn:uuid references between entries', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a',
          resource: { resourceType: 'Patient', name: [{ family: 'Transact' }], identifier: [{ system: 'urn:tx', value: 'p1' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059',
          resource: { resourceType: 'Flag', status: 'active', code: { text: 'Falls risk' }, subject: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' } },
          request: { method: 'POST', url: 'Flag' },
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.type).toBe('transaction-response');
    expect(res.json.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual(['201 Created', '201 Created']);
    const patientId = res.json.entry[0].resource.id;
    expect(res.json.entry[0].response.location).toMatch(new RegExp(`/Patient/${patientId}/_history/1$`));
    expect(res.json.entry[1].resource.subject.reference).toBe(`Patient/${patientId}`);
    const flags = await t.call('GET', `${B}/Flag?subject=Patient/${patientId}`, { as: AS });
    expect(flags.json.entry).toHaveLength(1);
    const history = await t.call('GET', `${B}/Patient/${patientId}/_history`, { as: AS });
    expect(history.json.entry[0].request).toEqual({ method: 'POST', url: 'Patient' });
  });

  it('rolls the whole transaction back when one entry fails, naming the entry', async () => {
    const before = await count('Patient?family=rollback');
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }], gender: 'not-a-gender' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.json.issue[0].expression).toContain('Bundle.entry[1]');
    expect(await count('Patient?family=rollback')).toBe(before);
  });

  it('processes DELETE, POST, PUT, GET in FHIR order and honours conditional entries', async () => {
    const existing = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Ordered' }], identifier: [{ system: 'urn:tx', value: 'keep' }] }, as: AS });
    const doomed = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Doomed' }] }, as: AS });
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: 'Patient?family=upserted' } },
        { resource: { resourceType: 'Patient', name: [{ family: 'Ordered' }], identifier: [{ system: 'urn:tx', value: 'keep' }] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:tx|keep' } },
        { resource: { resourceType: 'Patient', name: [{ family: 'Upserted' }], identifier: [{ system: 'urn:tx', value: 'upsert' }] }, request: { method: 'PUT', url: 'Patient?identifier=urn:tx|upsert' } },
        { request: { method: 'DELETE', url: `Patient/${doomed.json.id}` } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'Patient?identifier=urn:tx|keep' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    });
    expect(res.status).toBe(200);
    const statuses = res.json.entry.map((e: { response: { status: string } }) => e.response.status);
    expect(statuses).toEqual(['200 OK', '200 OK', '201 Created', '200 OK', '201 Created']);
    // The GET runs after the PUT, so it sees the upserted patient.
    expect(res.json.entry[0].resource.entry[0].resource.name[0].family).toBe('Upserted');
    expect((await t.call('GET', `${B}/Patient/${doomed.json.id}`, { as: AS })).status).toBe(410);
    expect(res.json.entry[1].resource.id).toBe(existing.json.id);
    expect(res.json.entry[4].resource.subject.reference).toBe(`Patient/${existing.json.id}`);
  });

  it('fails a transaction that changes one resource twice', async () => {
    const p = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Twice' }] }, as: AS });
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', id: p.json.id, gender: 'male' }, request: { method: 'PUT', url: `Patient/${p.json.id}` } },
        { request: { method: 'DELETE', url: `Patient/${p.json.id}` } },
      ],
    });
    expect(res.status).toBe(400);
    expect((await t.call('GET', `${B}/Patient/${p.json.id}`, { as: AS })).json.meta.versionId).toBe('1');
  });

  it('fails a transaction whose reference names no entry, or whose conditional reference is ambiguous', async () => {
    const dangling = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Flag', status: 'active', code: { text: 'x' }, subject: { reference: 'urn:uuid:00000000-0000-0000-0000-000000000000' } }, request: { method: 'POST', url: 'Flag' } }],
    });
    expect(dangling.status).toBe(400);
    const none = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Flag', status: 'active', code: { text: 'x' }, subject: { reference: 'Patient?identifier=urn:none|0' } }, request: { method: 'POST', url: 'Flag' } }],
    });
    expect(none.status).toBe(412);
  });

  it('runs batch entries independently, reporting each outcome', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Batched' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'robot' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient?family=batched' } },
        { request: { method: 'GET', url: 'Patient/nope' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.type).toBe('batch-response');
    const statuses = res.json.entry.map((e: { response: { status: string } }) => e.response.status);
    expect(statuses).toEqual(['201 Created', '422 Unprocessable Entity', '200 OK', '404 Not Found']);
    expect(res.json.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect(res.json.entry[2].resource.type).toBe('searchset');
    expect(await count('Patient?family=batched')).toBe(1);
  });

  it('supports PATCH entries (JSON Patch in a Binary)', async () => {
    const p = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Patchme' }] }, as: AS });
    const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }])).toString('base64');
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch }, request: { method: 'PATCH', url: `Patient/${p.json.id}` } }],
    });
    expect(res.status).toBe(200);
    expect((await t.call('GET', `${B}/Patient/${p.json.id}`, { as: AS })).json.gender).toBe('female');
  });

  it('rejects Bundles that are not batch or transaction, or entries without a request', async () => {
    expect((await post({ resourceType: 'Bundle', type: 'collection' })).status).toBe(400);
    expect((await post({ resourceType: 'Patient' })).status).toBe(400);
    const noRequest = await post({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' } }] });
    expect(noRequest.status).toBe(400);
    expect(noRequest.json.issue[0].expression).toEqual(['Bundle.entry[0].request.method']);
  });

  it('refuses a Bundle over the configured entry limit with 413', async () => {
    const small = await startTestPlatform(database, { maxBundleEntries: 2 });
    try {
      const entry = Array.from({ length: 3 }, () => ({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }));
      const res = await small.call('POST', B, { body: { resourceType: 'Bundle', type: 'batch', entry }, as: AS });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
