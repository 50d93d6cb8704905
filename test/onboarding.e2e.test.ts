// The onboarding flow of issue #4, all-in-one topology, over HTTP on both databases: two tenants register
// the same person; one publishes an About Me in MODS, the other alerts and an allergy; a consumer
// retrieves everything through the central FHIR API and reads it back as MODS through $transform,
// with both tenants' data present and attributed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { eventually } from './support/eventually.js';
import { suitePlatform } from './support/platform.js';

const json = { 'content-type': 'application/json' };
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/mods/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const SUNRISE = 'http://scip.test/tenants/sunrise-care/fhir';
const MEADOW = 'http://scip.test/tenants/meadow-homecare/fhir';


describe.each(await testDatabases())('onboarding flow (all-in-one) on $name', (database) => {
  const t = suitePlatform(database);

  it('registers one person on two tenants, publishes on both, and serves everything centrally, as FHIR and as MODS', async () => {
    const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
    const registrations = await Promise.all([
      t.call('POST', '/tenants/sunrise-care/mods/subjects-of-care/register', { body: { ...margaret, subjectOfCareId: 'sun-42' }, headers: json }),
      t.call('POST', '/tenants/meadow-homecare/mods/subjects-of-care/register', { body: { ...margaret, subjectOfCareId: 'mea-7' }, headers: json, as: 'meadow-homecare-system' }),
    ]);
    for (const r of registrations) expect(r.status, r.text).toBe(202);
    const persons = await Promise.all(
      registrations.map((r, i) =>
        eventually(async () => {
          const status = await t.call('GET', String(r.headers.location).replace('http://scip.test', ''), i === 1 ? { as: 'meadow-homecare-system' } : {});
          expect(status.json.status).toBe('registered');
          return status.json.personId as string;
        }),
      ),
    );
    expect(persons[0]).toBe(persons[1]);
    const person = persons[0];

    const aboutMe = { ...fixture('about-me.margaret-okafor'), subjectOfCare: { ref: 'sun-42' } };
    expect((await t.call('POST', '/tenants/sunrise-care/mods/about-me', { body: aboutMe, headers: json })).status).toBe(201);
    const alert = { ...fixture('alert.dangerous-dog'), subjectOfCare: { nhsNumber: '9990000018' }, informed: undefined };
    expect((await t.call('POST', '/tenants/meadow-homecare/mods/alert', { body: alert, headers: json, as: 'meadow-homecare-system' })).status).toBe(201);
    const allergy = { ...fixture('allergy.penicillin'), subjectOfCare: { ref: 'mea-7' } };
    expect((await t.call('POST', '/tenants/meadow-homecare/mods/allergy', { body: allergy, headers: json, as: 'meadow-homecare-system' })).status).toBe(201);

    // A consumer, the hospital, admits her: its system registers her too, which gives the hospital a
    // legitimate relationship with her; then it asks the central API for everything about her.
    const admitted = await t.call('POST', '/tenants/city-hospital/mods/subjects-of-care/register', { body: { ...margaret, subjectOfCareId: 'hosp-3' }, headers: json, as: 'city-hospital-system' });
    expect(admitted.status, admitted.text).toBe(202);
    const everything = await eventually(async () => {
      const res = await t.call('GET', `/fhir/Patient/${person}/$everything`, { as: 'city-hospital-system' });
      expect(res.status).toBe(200);
      const types = res.json.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
      expect(types).toEqual(expect.arrayContaining(['QuestionnaireResponse', 'Flag', 'AllergyIntolerance']));
      return res.json as { entry: { resource: { resourceType: string; meta: { source?: string } } }[] };
    });
    const sourceOf = (type: string): (string | undefined)[] => everything.entry.filter((e) => e.resource.resourceType === type).map((e) => e.resource.meta.source);
    expect(sourceOf('QuestionnaireResponse')).toEqual([SUNRISE]);
    expect(sourceOf('Flag')).toEqual([MEADOW]);
    expect(sourceOf('AllergyIntolerance')).toEqual([MEADOW]);
    expect(sourceOf('Patient').sort()).toEqual(['http://scip.test/fhir', MEADOW, SUNRISE, 'http://scip.test/tenants/city-hospital/fhir'].sort());

    // ... and reads it back as MODS.
    const asMods = await t.call('POST', '/fhir/$transform?target=mods', { body: everything, as: 'city-hospital-system' });
    expect(asMods.status, asMods.text).toBe(200);
    const records = asMods.json.records as { resourceType: string; recordUid?: string; sections?: unknown; text?: string }[];
    const byType = (type: string) => records.filter((r) => r.resourceType === type);
    expect(byType('MODS-AboutMe')[0]).toMatchObject({ sections: { mostImportant: { freeText: 'My faith and my Sunday phone call with my sister.' } } });
    expect(byType('MODS-Alert')[0]).toMatchObject({ text: 'Visiting staff must ring before arrival.', subjectOfCare: { nhsNumber: '9990000018' } });
    expect(byType('MODS-Allergy')[0]).toMatchObject({ causativeAgent: { code: '91936005' }, subjectOfCare: { ref: 'mea-7' } });
    expect(byType('MODS-SubjectOfCare').map((r) => r.recordUid).sort()).toEqual(['hosp-3', 'mea-7', 'sun-42']);
    // The platform person is not a tenant's MODS record: it is listed as omitted, with the reasons.
    expect(asMods.json.omitted).toEqual([{ fullUrl: `http://scip.test/fhir/Patient/${person}`, issues: expect.arrayContaining([expect.stringMatching(/^subjectOfCare.ethnicity: required/)]) }]);
  });
});
