// Registration, the person index and the record locator over HTTP on both databases: two tenants
// register the same person (MODS and FHIR), publish about them, and the central platform knows one
// person, where their records are and of what kinds; deletes and failures are reflected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { eventually } from './support/eventually.js';
import { suitePlatform } from './support/platform.js';
import type { CallResult } from './support/platform.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const LOCATOR = 'https://openscip.org/fhir/CodeSystem/record-locator|tenant-record';
const json = { 'content-type': 'application/json' };
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/mods/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;


describe.each(await testDatabases())('registration and record locator on $name', (database) => {
  const t = suitePlatform(database);
  let personId: string;
  const pointers = async (): Promise<Record<string, string[]>> => {
    const res = await t.call('GET', `/fhir/DocumentReference?subject=Patient/${personId}&type=${LOCATOR}`);
    expect(res.status).toBe(200);
    return Object.fromEntries(
      (res.json.entry ?? []).map((e: { resource: { custodian: { identifier: { value: string } }; extension: { extension: { url: string; valueCode?: string }[] }[] } }) => [
        e.resource.custodian.identifier.value,
        e.resource.extension.map((x) => x.extension.find((s) => s.url === 'type')?.valueCode).sort(),
      ]),
    );
  };


  it('registers a subject of care through MODS: 202, pending, then registered with the platform person', async () => {
    const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
    const accepted = await t.call('POST', '/tenants/sunrise-care/mods/subjects-of-care/register', { body: { ...margaret, subjectOfCareId: 'soc-0001' }, headers: json });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.json).toMatchObject({ subjectOfCareId: 'soc-0001', status: 'pending' });
    const location = String(accepted.headers.location).replace('http://scip.test', '');
    expect(location).toMatch(/^\/tenants\/sunrise-care\/mods\/registrations\/[0-9a-f-]{36}$/);

    const settled = await eventually(async () => {
      const status = await t.call('GET', location);
      expect(status.json.status).toBe('registered');
      return status;
    });
    personId = settled.json.personId as string;
    expect(personId).toBeTruthy();
    expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient/soc-0001')).status).toBe(200);
  });

  it('links the same NHS number created as a FHIR Patient on another tenant to the same person', async () => {
    const created = await t.call(
      'POST',
      '/tenants/meadow-homecare/fhir/Patient',
      { body: { resourceType: 'Patient', identifier: [{ system: NHS, value: '9990000018' }], name: [{ family: 'Okafor', given: ['Margaret'] }], birthDate: '1938-05-14' }, as: 'meadow-homecare-system' },
    );
    expect(created.status).toBe(201);
    const meadowId = created.json.id as string;
    const person = await eventually(async () => {
      const found = await t.call('GET', `/fhir/Patient?identifier=${NHS}|9990000018`);
      expect(found.json.entry).toHaveLength(1);
      expect(found.json.entry[0].resource.link).toHaveLength(2);
      return found.json.entry[0].resource;
    });
    expect(person.id).toBe(personId);
    expect(person.link.map((l: { other: { reference: string }; type: string }) => [l.type, l.other.reference]).sort()).toEqual([
      ['seealso', `http://scip.test/tenants/meadow-homecare/fhir/Patient/${meadowId}`],
      ['seealso', 'http://scip.test/tenants/sunrise-care/fhir/Patient/soc-0001'],
    ]);
  });

  it('keeps the record locator current as tenants publish and delete', async () => {
    expect((await t.call('POST', '/tenants/sunrise-care/mods/about-me', { body: fixture('about-me.margaret-okafor'), headers: json })).status).toBe(201);
    const meadowPatient = (await t.call('GET', `/tenants/meadow-homecare/fhir/Patient?identifier=${NHS}|9990000018`, { as: 'meadow-homecare-system' })).json.entry[0].resource.id as string;
    const subject = { reference: `Patient/${meadowPatient}` };
    const flag = await t.call('POST', '/tenants/meadow-homecare/fhir/Flag', { body: { resourceType: 'Flag', status: 'active', code: { text: 'Key safe 1234' }, subject }, as: 'meadow-homecare-system' });
    const allergy = { resourceType: 'AllergyIntolerance', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] }, code: { text: 'Penicillin' }, patient: subject };
    expect((await t.call('POST', '/tenants/meadow-homecare/fhir/AllergyIntolerance', { body: allergy, as: 'meadow-homecare-system' })).status).toBe(201);

    await eventually(async () => expect(await pointers()).toEqual({ 'meadow-homecare': ['AllergyIntolerance', 'Flag', 'Patient'], 'sunrise-care': ['Observation', 'Patient', 'QuestionnaireResponse'] }));

    expect((await t.call('DELETE', `/tenants/meadow-homecare/fhir/Flag/${flag.json.id as string}`, { as: 'meadow-homecare-system' })).status).toBe(200);
    await eventually(async () => expect((await pointers())['meadow-homecare']).toEqual(['AllergyIntolerance', 'Patient']));

    expect((await t.call('DELETE', `/tenants/meadow-homecare/fhir/Patient/${meadowPatient}`, { as: 'meadow-homecare-system' })).status).toBe(200);
    await eventually(async () => expect(Object.keys(await pointers())).toEqual(['sunrise-care']));
    const person = await t.call('GET', `/fhir/Patient/${personId}`);
    expect(person.json.link).toEqual([{ other: { reference: 'http://scip.test/tenants/sunrise-care/fhir/Patient/soc-0001' }, type: 'seealso' }]);
  });

  it('registers a subject of care without an NHS number by matching their demographics', async () => {
    const { versionNumber: _v, ...zofia } = fixture('subject-of-care.no-nhs-number');
    const accepted = await t.call('POST', '/tenants/sunrise-care/mods/subjects-of-care/register', { body: zofia, headers: json });
    expect(accepted.status, accepted.text).toBe(202);
    const location = String(accepted.headers.location).replace('http://scip.test', '');
    const settled: CallResult = await eventually(async () => {
      const status = await t.call('GET', location);
      expect(status.json.status).toBe('registered');
      return status;
    });
    expect(settled.json).toMatchObject({ subjectOfCareId: 'soc-0003' });
    const person = await t.call('GET', `/fhir/Patient/${settled.json.personId as string}`);
    expect(person.json.link).toEqual([{ other: { reference: expect.stringMatching(/\/tenants\/sunrise-care\/fhir\/Patient\//) }, type: 'seealso' }]);
    expect(person.json.identifier).toBeUndefined();
  });

  it('refuses a registration payload without its id or with an invalid NHS number, storing nothing', async () => {
    const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
    const noId = await t.call('POST', '/tenants/city-hospital/mods/subjects-of-care/register', { body: margaret, headers: json, as: 'city-hospital-system' });
    expect(noId.status).toBe(422);
    expect(noId.json.issue[0].expression).toEqual(['subjectOfCare.subjectOfCareId']);
    const badNhs = await t.call('POST', '/tenants/city-hospital/mods/subjects-of-care/register', {
      body: { ...margaret, subjectOfCareId: 'h-1', identification: { nhsNumber: '9990000019' } },
      headers: json,
      as: 'city-hospital-system',
    });
    expect(badNhs.status).toBe(422);
    expect(badNhs.json.issue[0].expression).toEqual(['subjectOfCare.identification.nhsNumber']);
    expect((await t.call('GET', '/tenants/city-hospital/fhir/Patient/h-1', { as: 'city-hospital-system' })).status).toBe(404);
  });

  it('answers $everything and person searches on the central base from every tenant, attributed and paged', async () => {
    const nhs = '9990000026';
    const sunrise = await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Walsh', given: ['Ann'] }] } });
    const meadow = await t.call('POST', '/tenants/meadow-homecare/fhir/Patient', { body: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Walsh', given: ['Ann'] }] }, as: 'meadow-homecare-system' });
    const flag = (text: string, patient: string) => ({ resourceType: 'Flag', status: 'active', code: { text }, subject: { reference: `Patient/${patient}` } });
    await t.call('POST', '/tenants/sunrise-care/fhir/Flag', { body: flag('Uses a hoist', sunrise.json.id as string) });
    await t.call('POST', '/tenants/sunrise-care/fhir/Flag', { body: flag('Diabetic', sunrise.json.id as string) });
    const dog = await t.call('POST', '/tenants/meadow-homecare/fhir/Flag', { body: flag('Dog at home', meadow.json.id as string), as: 'meadow-homecare-system' });
    const person = await eventually(async () => {
      const found = await t.call('GET', `/fhir/Patient?identifier=${NHS}|${nhs}`);
      expect(found.json.entry[0].resource.link).toHaveLength(2);
      return found.json.entry[0].resource.id as string;
    });
    await eventually(async () => {
      const res = await t.call('GET', `/fhir/DocumentReference?subject=Patient/${person}&type=${LOCATOR}`);
      expect(res.json.entry.map((e: { resource: { extension: { extension: { valueCode?: string }[] }[] } }) => e.resource.extension.flatMap((x) => x.extension.map((y) => y.valueCode).filter(Boolean))).flat().sort()).toEqual(['Flag', 'Flag', 'Patient', 'Patient']);
    });

    const everything = await t.call('GET', `/fhir/Patient/${person}/$everything`);
    expect(everything.status, everything.text).toBe(200);
    const entries = everything.json.entry as { fullUrl: string; resource: { resourceType: string; meta: { source: string } } }[];
    expect(entries[0].fullUrl).toBe(`http://scip.test/fhir/Patient/${person}`);
    const sources = entries.slice(1).map((e) => [e.resource.resourceType, e.resource.meta.source]).sort();
    expect(sources).toEqual([
      ['Flag', 'http://scip.test/tenants/meadow-homecare/fhir'],
      ['Flag', 'http://scip.test/tenants/sunrise-care/fhir'],
      ['Flag', 'http://scip.test/tenants/sunrise-care/fhir'],
      ['Patient', 'http://scip.test/tenants/meadow-homecare/fhir'],
      ['Patient', 'http://scip.test/tenants/sunrise-care/fhir'],
    ]);
    expect(entries.every((e) => e.fullUrl.startsWith(e.resource.meta?.source ?? 'http://scip.test/fhir'))).toBe(true);

    const flags = await t.call('GET', `/fhir/Flag?patient=Patient/${person}&_count=2`);
    expect(flags.status, flags.text).toBe(200);
    expect(flags.json.total).toBe(3);
    const seen: string[] = flags.json.entry.map((e: { resource: { code: { text: string } } }) => e.resource.code.text);
    let next = flags.json.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
    while (next) {
      const page = await t.call('GET', next.replace('http://scip.test', ''));
      seen.push(...page.json.entry.map((e: { resource: { code: { text: string } } }) => e.resource.code.text));
      next = page.json.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    }
    expect(seen.sort()).toEqual(['Diabetic', 'Dog at home', 'Uses a hoist']);
    const counted = await t.call('GET', `/fhir/Flag?patient=Patient/${person}&_summary=count`);
    expect([counted.json.total, counted.json.entry]).toEqual([3, undefined]);
    expect((await t.call('GET', `/fhir/Flag?patient=Patient/${person}&_id=${dog.json.id as string}`)).json.entry.map((e: { resource: { code: { text: string } } }) => e.resource.code.text)).toEqual(['Dog at home']);

    const bad = await t.call('GET', `/fhir/Flag?patient=Patient/${person}&colour=red`);
    expect(bad.status).toBe(400);
    expect((await t.call('GET', '/fhir/Patient/nobody/$everything')).status).toBe(404);
  });

  it('leaves out a tenant that fails, with a warning, and still answers 200', async () => {
    const person = (await t.call('GET', `/fhir/Patient?identifier=${NHS}|9990000026`)).json.entry[0].resource.id as string;
    // A locator pointer to a record the tenant no longer has (as after a restore): that tenant fails.
    const pointer = {
      resourceType: 'DocumentReference', status: 'current',
      type: { coding: [{ system: 'https://openscip.org/fhir/CodeSystem/record-locator', code: 'tenant-record' }] },
      subject: { reference: `Patient/${person}` }, custodian: { identifier: { system: 'https://openscip.org/Id/tenant', value: 'city-hospital' } },
      content: [{ attachment: { url: 'http://scip.test/tenants/city-hospital/fhir/Patient/vanished' } }],
    };
    expect((await t.call('POST', '/fhir/DocumentReference', { body: pointer, as: 'platform-admin' })).status).toBe(201);
    const everything = await t.call('GET', `/fhir/Patient/${person}/$everything`);
    expect(everything.status).toBe(200);
    const warnings = everything.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].resource.issue[0]).toMatchObject({ severity: 'warning', code: 'incomplete' });
    expect(warnings[0].resource.issue[0].diagnostics).toMatch(/^Tenant city-hospital failed: Patient\/vanished is not known/);
    expect(everything.json.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Flag')).toHaveLength(3);
  });

  it('creates tenants through the admin API, for platform administrators only', async () => {
    const tenant = { id: 'riverside-la', name: 'Riverside Council', kind: 'local-authority' };
    expect((await t.call('POST', '/admin/tenants', { body: tenant, headers: json })).status).toBe(403);
    const created = await t.call('POST', '/admin/tenants', { body: tenant, headers: json, as: 'platform-admin' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.location).toBe('http://scip.test/tenants/riverside-la/fhir');
    expect((await t.call('GET', '/tenants/riverside-la/fhir/StructureMap?_count=1', { as: 'platform-admin' })).json.entry).toHaveLength(1);
    const bad = await t.call('POST', '/admin/tenants', { body: { id: 'Not Valid', name: 'x' }, headers: json, as: 'platform-admin' });
    expect(bad.status).toBe(400);
    expect(bad.json.issue[0].expression).toEqual(['id']);
    expect((await t.call('GET', '/admin/tenants', { as: 'platform-admin' })).json.map((x: { id: string }) => x.id)).toContain('riverside-la');
  });

  it('keeps registrations to their tenant', async () => {
    const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
    const accepted = await t.call('POST', '/tenants/sunrise-care/mods/subjects-of-care/register', { body: { ...margaret, subjectOfCareId: 'soc-0001' }, headers: json });
    const id = String(accepted.headers.location).split('/').pop() as string;
    expect((await t.call('GET', `/tenants/meadow-homecare/mods/registrations/${id}`, { as: 'meadow-homecare-system' })).status).toBe(404);
    expect((await t.call('GET', `/tenants/sunrise-care/mods/registrations/${id}`, { as: 'meadow-homecare-system' })).status).toBe(403);
  });
});
