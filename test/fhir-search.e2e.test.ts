// End-to-end search over HTTP: every parameter type, modifier and prefix, chains, _has, composites,
// includes, sorting, totals and paging, on both databases.
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { PUBLIC_URL, suitePlatform } from './support/platform.js';

const B = '/tenants/sunrise-care/fhir';
type Entry = { resource: { resourceType: string; id: string; [k: string]: unknown }; search: { mode: string } };

describe.each(await testDatabases())('FHIR search on $name', (database) => {
  const t = suitePlatform(database);
  const ids: Record<string, string> = {};

  const create = async (key: string, body: Record<string, unknown>): Promise<string> => {
    const res = await t.call('POST', `${B}/${body.resourceType as string}`, { body });
    if (res.status !== 201) throw new Error(`fixture ${key}: ${res.status} ${res.text}`);
    ids[key] = res.json.id;
    return res.json.id;
  };
  const search = async (query: string, headers: Record<string, string> = {}): Promise<Entry[]> => {
    const res = await t.call('GET', `${B}/${query}`, { headers });
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${res.text}`);
    return res.json.entry ?? [];
  };
  const matchIds = async (query: string): Promise<string[]> =>
    (await search(query)).filter((e) => e.search.mode === 'match').map((e) => e.resource.id).sort();
  const idsOf = (...keys: string[]): string[] => keys.map((k) => ids[k]).sort();

  beforeAll(async () => {
    await create('org', { resourceType: 'Organization', name: 'Sunrise Care Home', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'VM1234' }] });
    await create('gp', { resourceType: 'Practitioner', name: [{ family: 'Okafor', given: ['Chidi'] }] });
    await create('anna', {
      resourceType: 'Patient',
      meta: { tag: [{ system: 'urn:test', code: 'cohort-a' }], profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'], security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] },
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9449305552' }],
      name: [{ family: 'Müller', given: ['Anna', 'Maria'] }],
      gender: 'female',
      birthDate: '1938-03-15',
      address: [{ line: ['1 High Street'], city: 'Leeds', postalCode: 'LS1 4AB' }],
      telecom: [{ system: 'phone', value: '0113 496 0000' }],
      generalPractitioner: [{ reference: `Practitioner/${ids.gp}` }],
      managingOrganization: { reference: `Organization/${ids.org}` },
    });
    await create('bob', {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:local', value: 'B-7' }],
      name: [{ family: 'Mullins', given: ['Bob'] }],
      gender: 'male',
      birthDate: '1942-11',
      address: [{ city: 'York', postalCode: 'YO1 7HH' }],
      managingOrganization: { reference: `${PUBLIC_URL}${B}/Organization/${ids.org}` },
    });
    await create('cara', { resourceType: 'Patient', name: [{ family: 'Jones', given: ['Cara'] }], birthDate: '1950-01-01', active: true });
    await create('obs-anna-glucose', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '15074-8', display: 'Glucose [Moles/volume] in Blood' }], text: 'Blood glucose' },
      subject: { reference: `Patient/${ids.anna}` },
      performer: [{ reference: `Practitioner/${ids.gp}` }],
      effectiveDateTime: '2024-05-01T09:00:00Z',
      valueQuantity: { value: 6.3, system: 'http://unitsofmeasure.org', code: 'mmol/L', unit: 'mmol/L' },
    });
    await create('obs-bob-glucose', {
      resourceType: 'Observation',
      status: 'preliminary',
      code: { coding: [{ system: 'http://loinc.org', code: '15074-8' }] },
      subject: { reference: `Patient/${ids.bob}` },
      effectivePeriod: { start: '2024-06-01', end: '2024-06-03' },
      valueQuantity: { value: 4.1, system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    });
    await create('obs-anna-weight', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      subject: { reference: `Patient/${ids.anna}` },
      valueQuantity: { value: 61, system: 'http://unitsofmeasure.org', code: 'kg' },
    });
    await create('encounter', { resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: `Patient/${ids.anna}` }, period: { start: '2024-04-28' } });
    await create('risk', { resourceType: 'RiskAssessment', status: 'final', subject: { reference: `Patient/${ids.anna}` }, prediction: [{ probabilityDecimal: 0.25 }] });
    await create('questionnaire', { resourceType: 'Questionnaire', status: 'active', url: 'https://forms.example.org/fhir/Questionnaire/about-me/v1' });
  });

  it('matches strings by accent- and case-insensitive prefix, :exact and :contains', async () => {
    expect(await matchIds('Patient?family=mul')).toEqual(idsOf('anna', 'bob'));
    expect(await matchIds('Patient?family=MULLER')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?family:exact=Müller')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?family:exact=muller')).toEqual([]);
    expect(await matchIds('Patient?name:contains=ari')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?given=maria')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?address-city=leeds,york')).toEqual(idsOf('anna', 'bob'));
    expect(await matchIds('Patient?address=1 high')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?address=LS1')).toEqual(idsOf('anna'));
  });

  it('matches tokens by code, system|code, |code, system|, :not, :text and :missing', async () => {
    expect(await matchIds('Patient?identifier=9449305552')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9449305552')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?identifier=urn:other|9449305552')).toEqual([]);
    expect(await matchIds('Patient?identifier=urn:local|')).toEqual(idsOf('bob'));
    expect(await matchIds('Patient?gender=|female')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?gender:not=female')).toEqual(idsOf('bob', 'cara'));
    expect(await matchIds('Patient?gender:missing=true')).toEqual(idsOf('cara'));
    expect(await matchIds('Patient?gender:missing=false')).toEqual(idsOf('anna', 'bob'));
    expect(await matchIds('Patient?active=true')).toEqual(idsOf('cara'));
    expect(await matchIds('Observation?code:text=blood gl')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?code=http://loinc.org|15074-8&status=final,preliminary')).toEqual(idsOf('obs-anna-glucose', 'obs-bob-glucose'));
    expect(await matchIds('Patient?phone=0113 496 0000')).toEqual(idsOf('anna'));
  });

  it('matches dates with every prefix at every precision, and periods', async () => {
    expect(await matchIds('Patient?birthdate=1938')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?birthdate=1938-03')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?birthdate=1938-03-15')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?birthdate=1942')).toEqual(idsOf('bob'));
    expect(await matchIds('Patient?birthdate=1942-11-05')).toEqual([]);
    expect(await matchIds('Observation?date=ap2024-05-01')).toEqual(idsOf('obs-anna-glucose', 'obs-bob-glucose'));
    expect(await matchIds('Observation?date=ap2021-01-01')).toEqual([]);
    expect(await matchIds('Patient?birthdate=ne1938-03-15')).toEqual(idsOf('bob', 'cara'));
    expect(await matchIds('Patient?birthdate=gt1940')).toEqual(idsOf('bob', 'cara'));
    expect(await matchIds('Patient?birthdate=ge1942-11')).toEqual(idsOf('bob', 'cara'));
    expect(await matchIds('Patient?birthdate=lt1942-11-05')).toEqual(idsOf('anna', 'bob'));
    expect(await matchIds('Patient?birthdate=le1938-03-15')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?birthdate=sa1942')).toEqual(idsOf('cara'));
    expect(await matchIds('Patient?birthdate=eb1942')).toEqual(idsOf('anna'));
    expect(await matchIds('Observation?date=2024-05-01T09:00:00Z')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?date=2024-05-01T10:00:00%2B01:00')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?date=2024-05-01T09:00')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Patient?birthdate=gt1938&birthdate=lt1945')).toEqual(idsOf('bob'));
    expect(await matchIds('Observation?date=2024-06-02')).toEqual([]);
    expect(await matchIds('Observation?date=ge2024-06-02')).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds('Observation?date=2024-06')).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds('Encounter?date=gt2030-01-01')).toEqual(idsOf('encounter'));
    expect(await matchIds('Encounter?date=lt2024-04-28')).toEqual([]);
  });

  it('matches numbers and quantities with prefixes, system and code', async () => {
    expect(await matchIds('RiskAssessment?probability=0.25')).toEqual(idsOf('risk'));
    expect(await matchIds('RiskAssessment?probability=0.4')).toEqual([]);
    expect(await matchIds('RiskAssessment?probability=gt0.2')).toEqual(idsOf('risk'));
    expect(await matchIds('Observation?value-quantity=6.3')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?value-quantity=6')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?value-quantity=lt5|http://unitsofmeasure.org|mmol/L')).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds('Observation?value-quantity=gt5||mmol/L')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?value-quantity=ge4.1')).toEqual(idsOf('obs-anna-glucose', 'obs-anna-weight', 'obs-bob-glucose'));
  });

  it('matches uris exactly, :below and :above', async () => {
    expect(await matchIds('Questionnaire?url=https://forms.example.org/fhir/Questionnaire/about-me/v1')).toEqual(idsOf('questionnaire'));
    expect(await matchIds('Questionnaire?url=https://forms.example.org/fhir/Questionnaire')).toEqual([]);
    expect(await matchIds('Questionnaire?url:below=https://forms.example.org/fhir/')).toEqual(idsOf('questionnaire'));
    expect(await matchIds('Questionnaire?url:above=https://forms.example.org/fhir/Questionnaire/about-me/v1/extra')).toEqual(idsOf('questionnaire'));
  });

  it('matches references by Type/id, id, local absolute URL and :Type', async () => {
    expect(await matchIds(`Observation?subject=Patient/${ids.anna}`)).toEqual(idsOf('obs-anna-glucose', 'obs-anna-weight'));
    expect(await matchIds(`Observation?subject=${ids.anna}`)).toEqual(idsOf('obs-anna-glucose', 'obs-anna-weight'));
    expect(await matchIds(`Observation?subject:Patient=${ids.bob}`)).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds(`Observation?patient=${encodeURIComponent(`${PUBLIC_URL}${B}/Patient/${ids.bob}`)}`)).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds(`Patient?organization=Organization/${ids.org}`)).toEqual(idsOf('anna', 'bob'));
  });

  it('follows chains and reverse chains (_has)', async () => {
    expect(await matchIds('Observation?subject:Patient.name=muller')).toEqual(idsOf('obs-anna-glucose', 'obs-anna-weight'));
    expect(await matchIds('Observation?patient.birthdate=1942')).toEqual(idsOf('obs-bob-glucose'));
    expect(await matchIds('Observation?subject.organization.name=sunrise&code=29463-7')).toEqual(idsOf('obs-anna-weight'));
    expect(await matchIds('Patient?_has:Observation:patient:code=15074-8')).toEqual(idsOf('anna', 'bob'));
    expect(await matchIds('Patient?_has:Observation:patient:status=preliminary')).toEqual(idsOf('bob'));
    expect(await matchIds('Organization?_has:Patient:organization:_has:Observation:patient:status=preliminary')).toEqual(idsOf('org'));
    expect(await matchIds('Practitioner?_has:Observation:performer:subject.family=muller')).toEqual(idsOf('gp'));
  });

  it('matches composite parameters within one component tuple', async () => {
    expect(await matchIds('Observation?code-value-quantity=http://loinc.org|15074-8$gt5')).toEqual(idsOf('obs-anna-glucose'));
    expect(await matchIds('Observation?code-value-quantity=15074-8$lt100')).toEqual(idsOf('obs-anna-glucose', 'obs-bob-glucose'));
    expect(await matchIds('Observation?code-value-quantity=29463-7$lt5')).toEqual([]);
  });

  it('supports _id, _lastUpdated, _tag, _profile and _security', async () => {
    expect(await matchIds(`Patient?_id=${ids.anna},${ids.cara}`)).toEqual(idsOf('anna', 'cara'));
    expect(await matchIds('Patient?_lastUpdated=gt2000-01-01&family=jones')).toEqual(idsOf('cara'));
    expect(await matchIds('Patient?_lastUpdated=lt2000-01-01')).toEqual([]);
    expect(await matchIds('Patient?_tag=urn:test|cohort-a')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?_profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient')).toEqual(idsOf('anna'));
    expect(await matchIds('Patient?_security=R')).toEqual(idsOf('anna'));
  });

  it('includes and reverse-includes, with :iterate', async () => {
    const inc = await search(`Observation?_id=${ids['obs-anna-glucose']}&_include=Observation:subject&_include=Observation:performer`);
    expect(inc.filter((e) => e.search.mode === 'include').map((e) => e.resource.id).sort()).toEqual(idsOf('anna', 'gp'));
    const rev = await search(`Patient?_id=${ids.anna}&_revinclude=Observation:subject`);
    expect(rev.filter((e) => e.search.mode === 'include').map((e) => e.resource.id).sort()).toEqual(idsOf('obs-anna-glucose', 'obs-anna-weight'));
    const iterate = await search(`Observation?_id=${ids['obs-anna-weight']}&_include=Observation:subject&_include:iterate=Patient:organization`);
    expect(iterate.filter((e) => e.search.mode === 'include').map((e) => e.resource.id).sort()).toEqual(idsOf('anna', 'org'));
    const wildcard = await search(`Observation?_id=${ids['obs-anna-glucose']}&_include=Observation:*`);
    expect(wildcard.filter((e) => e.search.mode === 'include').map((e) => e.resource.id).sort()).toEqual(idsOf('anna', 'gp'));
  });

  it('sorts by several keys, ascending and descending', async () => {
    const byBirth = (await search('Patient?_sort=birthdate')).map((e) => e.resource.id);
    expect(byBirth).toEqual([ids.anna, ids.bob, ids.cara]);
    const desc = (await search('Patient?_sort=-birthdate')).map((e) => e.resource.id);
    expect(desc).toEqual([ids.cara, ids.bob, ids.anna]);
    const multi = (await search('Observation?_sort=code,-value-quantity')).map((e) => e.resource.id);
    expect(multi).toEqual([ids['obs-anna-glucose'], ids['obs-bob-glucose'], ids['obs-anna-weight']]);
    const byFamily = (await search('Patient?_sort=family')).map((e) => e.resource.id);
    expect(byFamily).toEqual([ids.cara, ids.anna, ids.bob]);
  });

  it('counts with _total and _summary=count, and works through POST _search', async () => {
    const res = await t.call('GET', `${B}/Patient?_total=accurate&_count=1`);
    expect(res.json.total).toBe(3);
    expect(res.json.entry).toHaveLength(1);
    const count = await t.call('GET', `${B}/Observation?_summary=count&_total=accurate`);
    expect(count.json.total).toBe(3);
    expect(count.json.entry).toBeUndefined();
    const post = await t.call('POST', `${B}/Patient/_search`, { payload: 'family=jones', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(200);
    expect(post.json.entry.map((e: Entry) => e.resource.id)).toEqual([ids.cara]);
  });

  it('pages with signed next links that stay correct while data changes', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 7; i++) await create(`page-${i}`, { resourceType: 'Practitioner', name: [{ family: `Pager${i}` }], gender: 'unknown' });
    let url: string | undefined = `${B}/Practitioner?gender=unknown&_count=3&_sort=family`;
    let pages = 0;
    while (url) {
      const res = await t.call('GET', url);
      expect(res.status).toBe(200);
      seen.push(...(res.json.entry ?? []).map((e: Entry) => e.resource.id));
      if (pages === 0) {
        // A resource sorting before the cursor appears and one already seen is deleted: neither shifts the pages.
        await create('page-early', { resourceType: 'Practitioner', name: [{ family: 'Pager' }], gender: 'unknown' });
        await t.call('DELETE', `${B}/Practitioner/${ids['page-0']}`);
      }
      const next: { url: string } | undefined = res.json.link.find((l: { relation: string }) => l.relation === 'next');
      url = next?.url.replace(PUBLIC_URL, '');
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => ids[`page-${i}`]));
  });

  it('rejects tampered or foreign cursors', async () => {
    const res = await t.call('GET', `${B}/Practitioner?_count=1`);
    const next = new URL(res.json.link.find((l: { relation: string }) => l.relation === 'next').url);
    const cursor = next.searchParams.get('_cursor') as string;
    const tampered = `${cursor.slice(0, -2)}xx`;
    expect((await t.call('GET', `${B}/Practitioner?_count=1&_cursor=${tampered}`)).status).toBe(400);
    expect((await t.call('GET', `${B}/Practitioner?_count=2&_cursor=${cursor}`)).status).toBe(400);
  });

  it('answers unknown and malformed parameters with 400, or ignores them when lenient', async () => {
    const unknown = await t.call('GET', `${B}/Patient?shoe-size=9`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.issue[0].expression).toEqual(['shoe-size']);
    for (const q of ['birthdate=last-tuesday', 'birthdate=1938-13', 'value-quantity=abc', 'gender:fuzzy=x', '_count=-1', '_sort=nonsense', 'family:missing=maybe', '_include=Patient:nothing', 'subject.nothing=1']) {
      const type = q.startsWith('value') || q.startsWith('subject') ? 'Observation' : 'Patient';
      const res = await t.call('GET', `${B}/${type}?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
      expect(res.json.resourceType).toBe('OperationOutcome');
    }
    const lenient = await t.call('GET', `${B}/Patient?family=jones&shoe-size=9`, { headers: { prefer: 'handling=lenient' } });
    expect(lenient.status).toBe(200);
    const entries = lenient.json.entry as Entry[];
    expect(entries.filter((e) => e.search.mode === 'match').map((e) => e.resource.id)).toEqual([ids.cara]);
    expect(entries.find((e) => e.search.mode === 'outcome')?.resource.resourceType).toBe('OperationOutcome');
  });

  it('treats SQL-like input as plain data', async () => {
    expect(await matchIds("Patient?family=x' OR '1'='1")).toEqual([]);
    expect(await matchIds('Patient?family=%25')).toEqual([]);
    expect(await matchIds('Patient?family=_')).toEqual([]);
    expect(await matchIds("Patient?identifier=a'); DROP TABLE resource; --")).toEqual([]);
    expect((await t.call('GET', `${B}/Patient?family=jones`)).status).toBe(200);
  });
});
