// Identity matching over HTTP on both databases: registration links records of one person written
// differently on two tenants; $match finds and explains; doubtful pairs become review tasks that an
// operator decides; merge and unmerge change links only, and unmerge restores the previous state.
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';
import { ukCorePatient } from './support/patients.js';
import type { Demographics } from './support/patients.js';

const ADMIN = 'platform-admin';
const MEADOW = 'meadow-homecare-system';

const parameters = (...parameter: Record<string, unknown>[]) => ({ resourceType: 'Parameters', parameter });

describe.each(await testDatabases())('identity matching on $name', (database) => {
  const t = suitePlatform(database);

  beforeAll(async () => {
    // The test drives the change feed itself, so each step sees the previous one applied.
    await t.platform.federation.feed.stop();
  });

  const settle = () => t.platform.federation.feed.drain();
  const create = async (tenant: string, d: Demographics, as?: string): Promise<string> => {
    const res = await t.call('POST', `/tenants/${tenant}/fhir/Patient`, { body: ukCorePatient(d), ...(as ? { as } : {}) });
    expect(res.status, res.text).toBe(201);
    return res.json.id as string;
  };
  const personOf = async (tenant: string, id: string): Promise<string> => {
    const link = await t.platform.repo.identity.personLink({ tenant, patientId: id });
    expect(link).toBeDefined();
    return link?.personId as string;
  };
  const read = async (path: string) => (await t.call('GET', path, { as: ADMIN })).json;
  const withoutMeta = ({ meta: _m, ...rest }: Record<string, unknown>) => rest;
  interface ReviewTask {
    id: string;
    status: string;
    focus: { reference: string };
    code: { coding: { code: string }[] };
    input: { type: { coding: { code: string }[] }; valueReference?: { reference: string }; valueString?: string }[];
  }
  const candidateOf = (task: ReviewTask): string => task.input.find((i) => i.type.coding[0].code === 'candidate-person')?.valueReference?.reference ?? '';
  /** Review tasks between two persons (either may be the one under review: the feed's lanes run in parallel). */
  const reviewsBetween = async (pa: string, pb: string, status = 'requested'): Promise<ReviewTask[]> => {
    const all = await read(`/fhir/Task?code=https://openscip.org/fhir/CodeSystem/identity-review|possible-duplicate&status=${status}&_count=100`);
    const persons = [`Patient/${pa}`, `Patient/${pb}`];
    return ((all.entry ?? []) as { resource: ReviewTask }[]).map((e) => e.resource).filter((task) => persons.includes(task.focus.reference) && persons.includes(candidateOf(task)));
  };

  it('links one person recorded differently by two tenants, without NHS numbers, and says how', async () => {
    const a = await create('sunrise-care', { given: 'Margaret', family: "O'Donnell", birthDate: '1941-03-09', line: '7 Beech Grove', postcode: 'LS6 2AB' });
    const b = await create('meadow-homecare', { given: 'Peggy', family: 'ODonnell', birthDate: '1941-09-03', line: '7 Beech Grv', postcode: 'LS6 2AB' }, MEADOW);
    await settle();
    const person = await personOf('sunrise-care', a);
    expect(await personOf('meadow-homecare', b)).toBe(person);
    // Whichever registered first founded the person (the feed's lanes run in parallel); the other was matched to it.
    const links = await Promise.all([t.platform.repo.identity.personLink({ tenant: 'sunrise-care', patientId: a }), t.platform.repo.identity.personLink({ tenant: 'meadow-homecare', patientId: b })]);
    expect(links.map((l) => l?.method).sort()).toEqual(['new-person', 'probabilistic']);
    const matched = links.find((l) => l?.method === 'probabilistic');
    expect(matched).toMatchObject({ assurance: 'level2', actor: 'system' });
    expect(matched?.score).toBeGreaterThan(0.99);
    const golden = await read(`/fhir/Patient/${person}`);
    expect(golden.link.map((l: { other: { reference: string } }) => l.other.reference).sort()).toEqual([
      `http://scip.test/tenants/meadow-homecare/fhir/Patient/${b}`,
      `http://scip.test/tenants/sunrise-care/fhir/Patient/${a}`,
    ]);

    const match = await t.call('POST', '/fhir/Patient/$match', { body: parameters({ name: 'resource', resource: ukCorePatient({ given: 'Maggie', family: 'ODonnell', birthDate: '1941-03-09', postcode: 'LS6 2AB' }) }) });
    expect(match.status, match.text).toBe(200);
    expect(match.json).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    const entry = match.json.entry[0];
    expect(entry.resource.id).toBe(person);
    expect(entry.search.mode).toBe('match');
    expect(entry.search.score).toBeGreaterThan(0.99);
    expect(entry.search.extension[0]).toEqual({ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: 'certain' });
    const explanation = entry.search.extension[1].extension.find((e: { url: string }) => e.url === 'comparisons').valueString as string;
    expect(explanation).toMatch(/given: nickname \(\+\d/);
  });

  it('shows the merged view: same facts collapsed with every source, conflicts listed rather than picked', async () => {
    const phone = (value: string) => [{ system: 'phone', use: 'mobile', value }];
    const a = await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { ...ukCorePatient({ given: 'Gwendolyn', family: 'Featherstone', birthDate: '1944-06-12', postcode: 'LS17 5DT' }), telecom: phone('07700 900123') } });
    const b = await t.call('POST', '/tenants/city-hospital/fhir/Patient', { as: 'city-hospital-system', body: { ...ukCorePatient({ given: 'Gwen', family: 'Featherstone', birthDate: '1944-12-06', postcode: 'LS17 5DT' }), telecom: phone('07700900456') } });
    const flag = (text: string, code: string, subject: string) => ({ resourceType: 'Flag', status: 'active', code: { coding: [{ system: 'http://snomed.info/sct', code }], text }, subject: { reference: `Patient/${subject}` } });
    await t.call('POST', '/tenants/sunrise-care/fhir/Flag', { body: flag('Falls risk', '129839007', a.json.id as string) });
    await t.call('POST', '/tenants/city-hospital/fhir/Flag', { as: 'city-hospital-system', body: flag('At risk of falls', '129839007', b.json.id as string) });
    await t.call('POST', '/tenants/city-hospital/fhir/Flag', { as: 'city-hospital-system', body: flag('Hard of hearing', '15188001', b.json.id as string) });
    await settle();
    const person = await personOf('sunrise-care', a.json.id as string);
    expect(await personOf('city-hospital', b.json.id as string)).toBe(person);

    const view = await t.call('GET', `/fhir/Patient/${person}/$merged-view`);
    expect(view.status, view.text).toBe(200);
    const merged = view.json.entry[0].resource;
    const conflicts = Object.fromEntries(
      merged.extension.map((c: { extension: { url: string; valueString?: string; extension?: { url: string; valueString?: string }[] }[] }) => [
        c.extension.find((e) => e.url === 'element')?.valueString,
        c.extension.filter((e) => e.url === 'alternative').map((alt) => alt.extension?.find((e) => e.url === 'value')?.valueString).sort(),
      ]),
    );
    expect(conflicts).toEqual({ birthDate: ['1944-06-12', '1944-12-06'], 'telecom(phone/mobile)': ['07700 900123', '07700900456'] });
    expect(merged.birthDate).toBeUndefined();
    expect(merged.gender).toBe('female');
    expect(merged._gender.extension).toHaveLength(2);
    expect(merged.address).toHaveLength(1);
    expect(merged.address[0].extension).toHaveLength(2);
    const flags = view.json.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Flag');
    expect(flags).toHaveLength(2);
    const falls = flags.find((f: { resource: { code: { coding: { code: string }[] } } }) => f.resource.code.coding[0].code === '129839007').resource;
    expect(falls.extension.map((e: { valueUri: string }) => e.valueUri.replace(/\/Flag\/.*/, '')).sort()).toEqual(['http://scip.test/tenants/city-hospital/fhir', 'http://scip.test/tenants/sunrise-care/fhir']);
    expect(view.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include')).toHaveLength(2);
  });

  it('answers $match with nothing certain for a stranger, and validates its parameters', async () => {
    const stranger = await t.call('POST', '/fhir/Patient/$match', { body: parameters({ name: 'resource', resource: ukCorePatient({ given: 'Tobias', family: 'Quennell', birthDate: '1990-12-30', postcode: 'M1 1AE' }) }, { name: 'onlyCertainMatches', valueBoolean: true }) });
    expect(stranger.status).toBe(200);
    expect(stranger.json.total).toBe(0);
    const noResource = await t.call('POST', '/fhir/Patient/$match', { body: parameters({ name: 'count', valueInteger: 3 }) });
    expect(noResource.status).toBe(400);
    expect(noResource.json.issue[0].expression).toEqual(["Parameters.parameter.where(name='resource')"]);
    const badCount = await t.call('POST', '/fhir/Patient/$match', { body: parameters({ name: 'resource', resource: ukCorePatient({ given: 'A', family: 'B', birthDate: '1990-01-01' }) }, { name: 'count', valueInteger: 0 }) });
    expect(badCount.status).toBe(400);
    expect(badCount.json.issue[0].expression).toEqual(["Parameters.parameter.where(name='count')"]);
    const onTenant = await t.call('POST', '/tenants/sunrise-care/fhir/Patient/$match', { body: parameters({ name: 'resource', resource: ukCorePatient({ given: 'A', family: 'B', birthDate: '1990-01-01' }) }) });
    expect(onTenant.status).toBe(405);
  });

  it('never links different verified NHS numbers, and refuses to merge them', async () => {
    const twin = (given: string, nhs: string): Demographics => ({ given, family: 'Achterberg', birthDate: '1988-07-21', line: '3 Mill Lane', postcode: 'LS7 4QT', nhs: { value: nhs, verified: true } });
    const a = await create('sunrise-care', twin('Ruth', '9990000204'));
    const b = await create('meadow-homecare', twin('Ruth', '9990000212'), MEADOW);
    await settle();
    const [pa, pb] = [await personOf('sunrise-care', a), await personOf('meadow-homecare', b)];
    expect(pa).not.toBe(pb);
    const merge = await t.call('POST', '/fhir/Patient/$merge', { as: ADMIN, body: parameters({ name: 'source-patient', valueReference: { reference: `Patient/${pb}` } }, { name: 'target-patient', valueReference: { reference: `Patient/${pa}` } }) });
    expect(merge.status).toBe(409);
    expect(merge.json.issue[0].diagnostics).toMatch(/different verified NHS numbers/);
  });

  it('sends twins to review; "different people" is remembered and never proposed again', async () => {
    const a = await create('sunrise-care', { given: 'Harriet', family: 'Lindqvist', birthDate: '1995-02-17', line: '22 Cherry Row', postcode: 'LS8 1JJ' });
    const b = await create('city-hospital', { given: 'Eleanor', family: 'Lindqvist', birthDate: '1995-02-17', line: '22 Cherry Row', postcode: 'LS8 1JJ' }, 'city-hospital-system');
    await settle();
    const [pa, pb] = [await personOf('sunrise-care', a), await personOf('city-hospital', b)];
    expect(pa).not.toBe(pb);
    const tasks = await reviewsBetween(pa, pb);
    expect(tasks).toHaveLength(1);
    const task = tasks[0];
    expect(task.input.find((i) => i.type.coding[0].code === 'explanation')?.valueString).toMatch(/given: different/);

    const forbidden = await t.call('POST', `/fhir/Task/${task.id}/$review`, { body: parameters({ name: 'decision', valueCode: 'different-people' }) });
    expect(forbidden.status).toBe(403);
    const badDecision = await t.call('POST', `/fhir/Task/${task.id}/$review`, { as: ADMIN, body: parameters({ name: 'decision', valueCode: 'maybe' }) });
    expect(badDecision.status).toBe(400);
    expect(badDecision.json.issue[0].expression).toEqual(["Parameters.parameter.where(name='decision')"]);
    const decided = await t.call('POST', `/fhir/Task/${task.id}/$review`, { as: ADMIN, body: parameters({ name: 'decision', valueCode: 'different-people' }, { name: 'note', valueString: 'Twin sisters, confirmed by phone' }) });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.json).toMatchObject({ status: 'completed', businessStatus: { coding: [{ code: 'different-people' }] } });
    expect((await t.call('POST', `/fhir/Task/${task.id}/$review`, { as: ADMIN, body: parameters({ name: 'decision', valueCode: 'same-person' }) })).status).toBe(409);

    // A new version of the record is matched again; the rejected pair is not raised again.
    const updated = await t.call('PUT', `/tenants/city-hospital/fhir/Patient/${b}`, { as: 'city-hospital-system', body: { ...ukCorePatient({ given: 'Eleanor', family: 'Lindqvist', birthDate: '1995-02-17', line: '22 Cherry Row', postcode: 'LS8 1JJ' }), id: b, telecom: [{ system: 'phone', value: '0113 496 0000' }] } });
    expect(updated.status).toBe(200);
    await settle();
    expect(await reviewsBetween(pa, pb, 'requested')).toHaveLength(0);
    expect(await reviewsBetween(pa, pb, 'completed')).toHaveLength(1);
  });

  it('merges on a "same person" review and unmerges back to exactly the previous state', async () => {
    // A typo in the surname and a date of birth a digit out: probable, not certain.
    const a = await create('sunrise-care', { given: 'Winifred', family: 'Ashworth', birthDate: '1936-11-04', line: '9 Station Road', postcode: 'LS12 2EE' });
    const b = await create('meadow-homecare', { given: 'Winifred', family: 'Ashwort', birthDate: '1936-11-07', line: '41 Moor View', postcode: 'LS27 9AA' }, MEADOW);
    await settle();
    const [pa, pb] = [await personOf('sunrise-care', a), await personOf('meadow-homecare', b)];
    expect(pa).not.toBe(pb);
    const before = { [pa]: withoutMeta(await read(`/fhir/Patient/${pa}`)), [pb]: withoutMeta(await read(`/fhir/Patient/${pb}`)) };
    const tasks = await reviewsBetween(pa, pb);
    expect(tasks).toHaveLength(1);
    // The candidate's person survives; the one under review is retired into it.
    const survivor = candidateOf(tasks[0]).slice('Patient/'.length);
    const retired = survivor === pa ? pb : pa;
    const [retiredTenant, retiredRecord, retiredAs] = retired === pa ? ['sunrise-care', a, undefined] : ['meadow-homecare', b, MEADOW];

    const decided = await t.call('POST', `/fhir/Task/${tasks[0].id}/$review`, { as: ADMIN, body: parameters({ name: 'decision', valueCode: 'same-person' }) });
    expect(decided.status, decided.text).toBe(200);
    expect(await personOf(retiredTenant, retiredRecord)).toBe(survivor);
    const merged = await read(`/fhir/Patient/${survivor}`);
    expect(merged.link).toContainEqual({ other: { reference: `Patient/${retired}` }, type: 'replaces' });
    expect(merged.link).toContainEqual({ other: { reference: `http://scip.test/tenants/${retiredTenant}/fhir/Patient/${retiredRecord}` }, type: 'seealso' });
    expect(await read(`/fhir/Patient/${retired}`)).toMatchObject({ active: false, link: [{ other: { reference: `Patient/${survivor}` }, type: 'replaced-by' }] });
    const history = await t.platform.repo.identity.linkHistory({ tenant: retiredTenant, patientId: retiredRecord });
    expect(history.map((h) => [h.method, h.actor])).toEqual([['new-person', 'system'], ['merge', ADMIN]]);
    const everything = await t.call('GET', `/fhir/Patient/${survivor}/$everything`);
    expect(everything.json.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Patient')).toHaveLength(3);

    const unmerge = await t.call('POST', `/fhir/Patient/${retired}/$unmerge`, { as: ADMIN, body: parameters() });
    expect(unmerge.status, unmerge.text).toBe(200);
    expect(await personOf(retiredTenant, retiredRecord)).toBe(retired);
    expect(withoutMeta(await read(`/fhir/Patient/${pa}`))).toEqual(before[pa]);
    expect(withoutMeta(await read(`/fhir/Patient/${pb}`))).toEqual(before[pb]);
    expect(await t.platform.repo.identity.personLink({ tenant: retiredTenant, patientId: retiredRecord })).toMatchObject({ method: 'new-person', actor: 'system' });
    expect((await t.platform.repo.identity.linkHistory({ tenant: retiredTenant, patientId: retiredRecord })).map((h) => h.method)).toEqual(['new-person', 'merge', 'unmerge']);
    // The source records were never touched.
    expect((await t.call('GET', `/tenants/${retiredTenant}/fhir/Patient/${retiredRecord}/_history`, { ...(retiredAs ? { as: retiredAs } : {}) })).json.total).toBe(1);
    expect((await t.call('POST', `/fhir/Patient/${retired}/$unmerge`, { as: ADMIN, body: parameters() })).status).toBe(404);
  });
});
