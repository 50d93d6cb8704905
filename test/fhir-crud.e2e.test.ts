// End-to-end over HTTP: read, vread, create, update (and update-as-create), patch, delete, history,
// conditional interactions, ETags, Prefer, response shaping, on both databases.
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { startTestPlatform, suitePlatform } from './support/platform.js';

const B = '/tenants/sunrise-care/fhir';
const patient = (family: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Ada'] }],
  gender: 'female',
  birthDate: '1950-04-01',
  ...extra,
});

describe.each(await testDatabases())('FHIR REST interactions on $name', (database) => {
  const t = suitePlatform(database);

  it('creates, reads and vreads with ETag, Last-Modified and Location', async () => {
    const created = await t.call('POST', `${B}/Patient`, { body: patient('Lovelace') });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.headers.location).toBe(`http://scip.test${B}/Patient/${id}/_history/1`);
    expect(created.headers.etag).toBe('W/"1"');
    expect(created.json.meta.versionId).toBe('1');

    const read = await t.call('GET', `${B}/Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.text).toBe(created.text);
    expect(read.headers['last-modified']).toBe(new Date(created.json.meta.lastUpdated).toUTCString());

    const vread = await t.call('GET', `${B}/Patient/${id}/_history/1`);
    expect(vread.json.name[0].family).toBe('Lovelace');
    expect((await t.call('GET', `${B}/Patient/${id}/_history/9`)).status).toBe(404);
    expect((await t.call('GET', `${B}/Patient/does-not-exist`)).status).toBe(404);
  });

  it('stores and updates a resource that has no search values at all', async () => {
    const created = await t.call('POST', `${B}/Binary`, { body: { resourceType: 'Binary', contentType: 'text/plain', data: 'aGVsbG8=' } });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect((await t.call('PUT', `${B}/Binary/${id}`, { body: { resourceType: 'Binary', id, contentType: 'text/plain' } })).status).toBe(200);
  });

  it('ignores a client-supplied id on create and keeps the body as sent', async () => {
    const created = await t.call('POST', `${B}/Patient`, { body: { ...patient('Byron'), id: 'chosen-by-client' } });
    expect(created.status).toBe(201);
    expect(created.json.id).not.toBe('chosen-by-client');
  });

  it('updates with versioning, If-Match (412 when stale) and update-as-create', async () => {
    const id = (await t.call('POST', `${B}/Patient`, { body: patient('Somerville') })).json.id;
    const v2 = await t.call('PUT', `${B}/Patient/${id}`, { body: { ...patient('Somerville-Greig'), id }, headers: { 'if-match': 'W/"1"' } });
    expect(v2.status).toBe(200);
    expect(v2.json.meta.versionId).toBe('2');
    const stale = await t.call('PUT', `${B}/Patient/${id}`, { body: { ...patient('X'), id }, headers: { 'if-match': 'W/"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.json.resourceType).toBe('OperationOutcome');
    expect((await t.call('GET', `${B}/Patient/${id}`)).json.name[0].family).toBe('Somerville-Greig');

    const made = await t.call('PUT', `${B}/Patient/client-chosen-1`, { body: { ...patient('Hopper'), id: 'client-chosen-1' } });
    expect(made.status).toBe(201);
    expect(made.json.id).toBe('client-chosen-1');
  });

  it('rejects update bodies whose id or type disagree with the URL', async () => {
    const mismatch = await t.call('PUT', `${B}/Patient/abc`, { body: { ...patient('A'), id: 'xyz' } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.issue[0].expression).toEqual(['id']);
    const wrongType = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.issue[0].expression).toEqual(['resourceType']);
    const badId = await t.call('PUT', `${B}/Patient/bad_id!`, { body: { ...patient('A'), id: 'bad_id!' } });
    expect(badId.status).toBe(400);
  });

  it('applies JSON Patch, validating the result and honouring If-Match', async () => {
    const id = (await t.call('POST', `${B}/Patient`, { body: patient('Franklin') })).json.id;
    const headers = { 'content-type': 'application/json-patch+json' };
    const patched = await t.call('PATCH', `${B}/Patient/${id}`, { payload: JSON.stringify([{ op: 'replace', path: '/birthDate', value: '1920-07-25' }]), headers });
    expect(patched.status).toBe(200);
    expect(patched.json.birthDate).toBe('1920-07-25');
    expect(patched.json.meta.versionId).toBe('2');
    const invalidResult = await t.call('PATCH', `${B}/Patient/${id}`, { payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'robot' }]), headers });
    expect(invalidResult.status).toBe(422);
    expect(invalidResult.json.issue[0].expression).toEqual(['Patient.gender']);
    const failedTest = await t.call('PATCH', `${B}/Patient/${id}`, { payload: JSON.stringify([{ op: 'test', path: '/birthDate', value: '1900-01-01' }]), headers });
    expect(failedTest.status).toBe(422);
    const stale = await t.call('PATCH', `${B}/Patient/${id}`, { payload: '[]', headers: { ...headers, 'if-match': 'W/"1"' } });
    expect(stale.status).toBe(412);
    expect((await t.call('GET', `${B}/Patient/${id}`)).json.meta.versionId).toBe('2');
  });

  it('patches conditionally, by search criteria', async () => {
    await t.call('POST', `${B}/Patient`, { body: patient('Condpatch', { identifier: [{ system: 'urn:cp', value: '1' }] }) });
    const headers = { 'content-type': 'application/json-patch+json' };
    const res = await t.call('PATCH', `${B}/Patient?identifier=urn:cp|1`, { payload: JSON.stringify([{ op: 'replace', path: '/gender', value: 'other' }]), headers });
    expect(res.status).toBe(200);
    expect(res.json.gender).toBe('other');
    expect((await t.call('PATCH', `${B}/Patient?identifier=urn:cp|none`, { payload: '[]', headers })).status).toBe(404);
  });

  it('answers HEAD like GET without a body', async () => {
    const id = (await t.call('POST', `${B}/Patient`, { body: patient('Head') })).json.id;
    const head = await t.call('HEAD', `${B}/Patient/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe('W/"1"');
    expect(head.text).toBe('');
  });

  it('deletes as a new version: read gives 410, history keeps every version', async () => {
    const id = (await t.call('POST', `${B}/Patient`, { body: patient('Curie') })).json.id;
    await t.call('PUT', `${B}/Patient/${id}`, { body: { ...patient('Curie-Sklodowska'), id } });
    const del = await t.call('DELETE', `${B}/Patient/${id}`);
    expect(del.status).toBe(200);
    expect((await t.call('GET', `${B}/Patient/${id}`)).status).toBe(410);
    const history = await t.call('GET', `${B}/Patient/${id}/_history`);
    expect(history.json.type).toBe('history');
    expect(history.json.total).toBe(3);
    expect(history.json.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'PUT', 'POST']);
    expect(history.json.entry[0].resource).toBeUndefined();
    expect((await t.call('GET', `${B}/Patient/${id}/_history/2`)).json.name[0].family).toBe('Curie-Sklodowska');
    expect((await t.call('DELETE', `${B}/Patient/never-existed`)).status).toBe(404);
    const recreated = await t.call('PUT', `${B}/Patient/${id}`, { body: { ...patient('Curie'), id } });
    expect(recreated.status).toBe(201);
    expect(recreated.json.meta.versionId).toBe('4');
  });

  it('pages type and system history with _count, _since and next links', async () => {
    const since = new Date().toISOString();
    // Writes land strictly after `since` (timestamps have millisecond precision).
    await new Promise((r) => setTimeout(r, 5));
    for (const n of ['H1', 'H2', 'H3']) await t.call('POST', `${B}/Practitioner`, { body: { resourceType: 'Practitioner', name: [{ family: n }] } });
    const page1 = await t.call('GET', `${B}/Practitioner/_history?_since=${encodeURIComponent(since)}&_count=2`);
    expect(page1.json.total).toBe(3);
    expect(page1.json.entry).toHaveLength(2);
    const next = page1.json.link.find((l: { relation: string }) => l.relation === 'next').url.replace('http://scip.test', '');
    const page2 = await t.call('GET', next);
    expect(page2.json.entry).toHaveLength(1);
    expect(page2.json.entry[0].resource.name[0].family).toBe('H1');
    const system = await t.call('GET', `${B}/_history?_since=${encodeURIComponent(since)}`);
    expect(system.json.total).toBe(3);
    const before = await t.call('GET', `${B}/Practitioner/_history?_at=${encodeURIComponent(since)}`);
    expect(before.json.entry?.some((e: { resource: { name: { family: string }[] } }) => e.resource.name[0].family.startsWith('H'))).toBeFalsy();
  });

  it('supports conditional create, update and delete', async () => {
    const nhs = { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' };
    const body = patient('Conditional', { identifier: [nhs] });
    const criteria = `identifier=${encodeURIComponent(`${nhs.system}|${nhs.value}`)}`;
    const first = await t.call('POST', `${B}/Patient`, { body, headers: { 'if-none-exist': criteria } });
    expect(first.status).toBe(201);
    const again = await t.call('POST', `${B}/Patient`, { body, headers: { 'if-none-exist': criteria } });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);

    const updated = await t.call('PUT', `${B}/Patient?${criteria}`, { body: { ...body, gender: 'other' } });
    expect(updated.status).toBe(200);
    expect(updated.json.id).toBe(first.json.id);
    expect(updated.json.gender).toBe('other');

    const newOne = await t.call('PUT', `${B}/Patient?identifier=urn:x|none`, { body: patient('Brand New', { identifier: [{ system: 'urn:x', value: 'none' }] }) });
    expect(newOne.status).toBe(201);

    await t.call('POST', `${B}/Patient`, { body: patient('Twin', { identifier: [{ system: 'urn:twin', value: '1' }] }) });
    await t.call('POST', `${B}/Patient`, { body: patient('Twin', { identifier: [{ system: 'urn:twin', value: '1' }] }) });
    expect((await t.call('POST', `${B}/Patient`, { body: patient('Twin'), headers: { 'if-none-exist': 'identifier=urn:twin|1' } })).status).toBe(412);
    expect((await t.call('DELETE', `${B}/Patient?identifier=urn:twin|1`)).status).toBe(412);

    expect((await t.call('DELETE', `${B}/Patient?${criteria}`)).status).toBe(200);
    expect((await t.call('GET', `${B}/Patient/${first.json.id}`)).status).toBe(410);
  });

  it('honours If-None-Match and If-Modified-Since on read', async () => {
    const created = await t.call('POST', `${B}/Patient`, { body: patient('Cached') });
    const url = `${B}/Patient/${created.json.id}`;
    expect((await t.call('GET', url, { headers: { 'if-none-match': 'W/"1"' } })).status).toBe(304);
    expect((await t.call('GET', url, { headers: { 'if-none-match': 'W/"0"' } })).status).toBe(200);
    const later = new Date(Date.now() + 60_000).toUTCString();
    expect((await t.call('GET', url, { headers: { 'if-modified-since': later } })).status).toBe(304);
    expect((await t.call('GET', url, { headers: { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).status).toBe(200);
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await t.call('POST', `${B}/Patient`, { body: patient('Minimal'), headers: { prefer: 'return=minimal' } });
    expect(minimal.status).toBe(201);
    expect(minimal.text).toBe('');
    expect(minimal.headers.location).toMatch(/\/Patient\/.+\/_history\/1$/);
    const oo = await t.call('POST', `${B}/Patient`, { body: patient('Outcome'), headers: { prefer: 'return=OperationOutcome' } });
    expect(oo.json.resourceType).toBe('OperationOutcome');
  });

  it('shapes responses with _summary, _elements and _pretty, and refuses XML', async () => {
    const id = (await t.call('POST', `${B}/Patient`, { body: patient('Shape', { text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }) })).json.id;
    const summary = await t.call('GET', `${B}/Patient/${id}?_summary=true`);
    expect(summary.json.text).toBeUndefined();
    expect(summary.json.name).toBeDefined();
    expect(summary.json.meta.tag).toContainEqual(expect.objectContaining({ code: 'SUBSETTED' }));
    const elements = await t.call('GET', `${B}/Patient/${id}?_elements=birthDate`);
    expect(Object.keys(elements.json).sort()).toEqual(['birthDate', 'id', 'meta', 'resourceType']);
    const text = await t.call('GET', `${B}/Patient/${id}?_summary=text`);
    expect(text.json.text.status).toBe('generated');
    expect(text.json.name).toBeUndefined();
    const data = await t.call('GET', `${B}/Patient/${id}?_summary=data`);
    expect(data.json.text).toBeUndefined();
    expect(data.json.gender).toBe('female');
    const pretty = await t.call('GET', `${B}/Patient/${id}?_pretty=true`);
    expect(pretty.text).toContain('\n  "resourceType": "Patient"');
    expect((await t.call('GET', `${B}/Patient/${id}?_format=json`)).status).toBe(200);
    expect((await t.call('GET', `${B}/Patient/${id}?_format=xml`)).status).toBe(406);
    expect((await t.call('GET', `${B}/Patient/${id}`, { headers: { accept: 'application/fhir+xml' } })).status).toBe(406);
  });

  it('answers every client error with an OperationOutcome and writes nothing', async () => {
    const before = (await t.call('GET', `${B}/Patient?_total=accurate&_count=0`)).json.total;
    const cases: [string, string, Record<string, unknown>, number][] = [
      ['POST', `${B}/Patient`, { payload: '{"resourceType": "Patient", ', headers: { 'content-type': 'application/fhir+json' } }, 400],
      ['POST', `${B}/Patient`, { payload: '<Patient/>', headers: { 'content-type': 'application/fhir+xml' } }, 415],
      ['POST', `${B}/Patient`, { body: [1, 2] }, 400],
      ['POST', `${B}/Patient`, { body: { name: 'x' } }, 400],
      ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', birthDate: 'yesterday' } }, 422],
      ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', unknownElement: true } }, 422],
      ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', managingOrganization: { reference: 'not a reference' } } }, 422],
      ['POST', `${B}/NotAType`, { body: { resourceType: 'NotAType' } }, 404],
      ['GET', `${B}/Patient?notaparam=1`, {}, 400],
      ['DELETE', `${B}/metadata`, {}, 405],
    ];
    for (const [method, url, options, status] of cases) {
      const res = await t.call(method, url, options);
      expect({ method, url, status: res.status }).toEqual({ method, url, status });
      expect(res.json.resourceType).toBe('OperationOutcome');
      expect(res.json.issue.length).toBeGreaterThan(0);
    }
    expect((await t.call('GET', `${B}/Patient?_total=accurate&_count=0`)).json.total).toBe(before);
  });

  it('reports where a resource is invalid in issue.expression', async () => {
    const res = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', gender: 'robot', name: [{ use: 'nickname', family: 'x' }, { use: 'bogus' }] } });
    expect(res.status).toBe(422);
    const expressions = res.json.issue.flatMap((i: { expression: string[] }) => i.expression);
    expect(expressions).toContain('Patient.gender');
    expect(expressions).toContain('Patient.name[1].use');
  });

  it('validates against the UK Core profiles named in meta.profile, and lists them in the CapabilityStatement', async () => {
    const meta = { profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'] };
    const bad = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', meta, identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '1234567890' }] } });
    expect(bad.status).toBe(422);
    expect(bad.json.issue[0].expression).toEqual(['Patient.identifier[0].value']);
    const good = await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', meta, identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9449305552' }] } });
    expect(good.status).toBe(201);
    // A profile we do not ship is accepted without checks.
    expect((await t.call('POST', `${B}/Patient`, { body: { resourceType: 'Patient', meta: { profile: ['https://example.org/unknown'] } } })).status).toBe(201);
    const caps = await t.call('GET', `${B}/metadata`, { as: null });
    const patientRest = caps.json.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patientRest.supportedProfile).toEqual(['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient']);
  });

  it('refuses an oversized payload with 413', async () => {
    const small = await startTestPlatform(database, { maxBodyBytes: 2048 });
    try {
      const res = await small.call('POST', `${B}/Patient`, { body: patient('x'.repeat(5000)) });
      expect(res.status).toBe(413);
      expect(res.json.resourceType).toBe('OperationOutcome');
    } finally {
      await small.close();
    }
  });

  it('validates with $validate without storing', async () => {
    const ok = await t.call('POST', `${B}/Patient/$validate`, { body: patient('Valid') });
    expect(ok.status).toBe(200);
    expect(ok.json.issue[0].severity).toBe('information');
    const bad = await t.call('POST', `${B}/Patient/$validate`, { body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', gender: 'x' } }] } });
    expect(bad.json.issue[0].severity).toBe('error');
  });

  it('publishes a CapabilityStatement without authentication', async () => {
    const res = await t.call('GET', `${B}/metadata`, { as: null });
    expect(res.status).toBe(200);
    expect(res.json.fhirVersion).toBe('4.0.1');
    const patientRest = res.json.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patientRest.interaction.map((i: { code: string }) => i.code)).toContain('patch');
    expect(patientRest.searchParam.map((p: { name: string }) => p.name)).toContain('birthdate');
    expect(res.json.rest[0].resource).toHaveLength(147);
  });
});
