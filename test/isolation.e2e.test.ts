// Cross-tenant isolation: from one tenant's base, every way of reaching another tenant's data — read,
// search, chain, reverse chain, include, revinclude, absolute URLs, conditional writes, history,
// $everything, MODS — finds nothing; another tenant's credentials are refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';

const SUNRISE = '/tenants/sunrise-care/fhir';
const MEADOW = '/tenants/meadow-homecare/fhir';
const AS_MEADOW = { as: 'meadow-homecare-system' };

describe.each(await testDatabases())('tenant isolation on $name', (database) => {
  const t = suitePlatform(database);
  let secret: { patient: string; flag: string; org: string };
  const ids = (res: { json: { entry?: { resource: { id: string } }[] } }): string[] => (res.json.entry ?? []).map((e) => e.resource.id);

  beforeAll(async () => {
    // Sunrise's data, which Meadow must never see.
    const org = await t.call('POST', `${SUNRISE}/Organization`, { body: { resourceType: 'Organization', name: 'Sunrise Secret Org' } });
    const patient = await t.call('POST', `${SUNRISE}/Patient`, {
      body: { resourceType: 'Patient', name: [{ family: 'Hidden' }], birthDate: '1940-01-01', managingOrganization: { reference: `Organization/${org.json.id as string}` } },
    });
    const flag = await t.call('POST', `${SUNRISE}/Flag`, { body: { resourceType: 'Flag', status: 'active', code: { text: 'secret' }, subject: { reference: `Patient/${patient.json.id as string}` } } });
    secret = { patient: patient.json.id as string, flag: flag.json.id as string, org: org.json.id as string };
  });

  it("cannot read, vread or see the history of another tenant's resource by id", async () => {
    expect((await t.call('GET', `${MEADOW}/Patient/${secret.patient}`, AS_MEADOW)).status).toBe(404);
    expect((await t.call('GET', `${MEADOW}/Patient/${secret.patient}/_history/1`, AS_MEADOW)).status).toBe(404);
    expect((await t.call('GET', `${MEADOW}/Patient/${secret.patient}/_history`, AS_MEADOW)).status).toBe(404);
    expect(ids(await t.call('GET', `${MEADOW}/_history`, AS_MEADOW))).not.toContain(secret.patient);
    expect((await t.call('GET', `${MEADOW}/Patient/${secret.patient}/$everything`, AS_MEADOW)).status).toBe(404);
  });

  it('finds nothing by search, chain, reverse chain, include or revinclude', async () => {
    expect(ids(await t.call('GET', `${MEADOW}/Patient?family=Hidden`, AS_MEADOW))).toEqual([]);
    expect(ids(await t.call('GET', `${MEADOW}/Patient?_id=${secret.patient}`, AS_MEADOW))).toEqual([]);
    expect(ids(await t.call('GET', `${MEADOW}/Flag?subject=Patient/${secret.patient}`, AS_MEADOW))).toEqual([]);
    expect(ids(await t.call('GET', `${MEADOW}/Flag?subject:Patient.family=Hidden`, AS_MEADOW))).toEqual([]);
    expect(ids(await t.call('GET', `${MEADOW}/Patient?_has:Flag:subject:_id=${secret.flag}`, AS_MEADOW))).toEqual([]);
    expect(ids(await t.call('GET', `${MEADOW}/Patient?organization.name=Sunrise`, AS_MEADOW))).toEqual([]);

    // Meadow's own Flag pointing at Sunrise's Patient id: includes must not cross over.
    await t.call('POST', `${MEADOW}/Flag`, { body: { resourceType: 'Flag', status: 'active', code: { text: 'mine' }, subject: { reference: `Patient/${secret.patient}` } }, ...AS_MEADOW });
    const included = await t.call('GET', `${MEADOW}/Flag?_include=Flag:subject&_include:iterate=Patient:organization`, AS_MEADOW);
    expect(included.json.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Flag']);
    const rev = await t.call('GET', `${MEADOW}/Patient?_revinclude=Flag:subject`, AS_MEADOW);
    expect(ids(rev)).not.toContain(secret.flag);
  });

  it("does not resolve another tenant's absolute URL as local", async () => {
    const url = `http://scip.test${SUNRISE}/Patient/${secret.patient}`;
    expect(ids(await t.call('GET', `${MEADOW}/Flag?subject=${encodeURIComponent(url)}`, AS_MEADOW))).toEqual([]);
  });

  it("cannot write into another tenant's resources through conditional or direct writes", async () => {
    const conditional = await t.call('PUT', `${MEADOW}/Patient?family=Hidden`, { body: { resourceType: 'Patient', name: [{ family: 'Hidden' }], gender: 'male' }, ...AS_MEADOW });
    expect(conditional.status).toBe(201);
    expect(conditional.json.id).not.toBe(secret.patient);
    const direct = await t.call('PUT', `${MEADOW}/Patient/${secret.patient}`, { body: { resourceType: 'Patient', id: secret.patient, name: [{ family: 'Overwritten' }] }, ...AS_MEADOW });
    expect(direct.status).toBe(201);
    expect((await t.call('GET', `${SUNRISE}/Patient/${secret.patient}`)).json.name[0].family).toBe('Hidden');
    const deleted = await t.call('DELETE', `${MEADOW}/Flag?_id=${secret.flag}`, AS_MEADOW);
    expect(deleted.status).toBe(200);
    expect((await t.call('GET', `${SUNRISE}/Flag/${secret.flag}`)).status).toBe(200);
  });

  it("refuses another tenant's base and MODS API to a tenant's credentials", async () => {
    expect((await t.call('GET', `${SUNRISE}/Patient/${secret.patient}`, AS_MEADOW)).status).toBe(403);
    expect((await t.call('GET', `${SUNRISE}/Patient?family=Hidden`, AS_MEADOW)).status).toBe(403);
    expect((await t.call('POST', SUNRISE, { body: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${secret.patient}` } }] }, ...AS_MEADOW })).status).toBe(403);
    expect((await t.call('GET', `/tenants/sunrise-care/mods/subject-of-care/${secret.patient}`, AS_MEADOW)).status).toBe(403);
  });
});
