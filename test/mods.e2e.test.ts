// The MODS adapter over HTTP on both databases: publish MODS, read it as FHIR, transform it back with
// $transform and get the same MODS; new versions and history; list by subject; precise 422s that
// store nothing; the StructureMap listing on every base.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { platform as platformRecords } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';

const T = '/tenants/sunrise-care';
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/mods/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const json = { 'content-type': 'application/json' };

describe.each(await testDatabases())('MODS API and the transform operation on $name', (database) => {
  const t = suitePlatform(database);
  beforeAll(async () => {
    // The platform numbers the versions it holds: a first publish is version 1.
    const { versionNumber: _supplierVersion, ...margaret } = fixture('subject-of-care.margaret-okafor');
    expect((await t.call('POST', `${T}/mods/subject-of-care`, { body: { ...margaret, versionNumber: 3 }, headers: json })).status).toBe(409);
    const published = await t.call('POST', `${T}/mods/subject-of-care`, { body: margaret, headers: json });
    expect(published.status, published.text).toBe(201);
  });

  it('publishes a subject of care as a Patient plus its Observation, in one write', async () => {
    const patient = await t.call('GET', `${T}/fhir/Patient/soc-0001`);
    expect(patient.status).toBe(200);
    expect(patient.json.identifier[0]).toMatchObject({ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9990000018' });
    expect(patient.json.meta.profile).toContain('https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient');
    const orientation = await t.call('GET', `${T}/fhir/Observation/soc-0001-so`);
    expect(orientation.json.subject.reference).toBe('Patient/soc-0001');
  });

  it('publishes an About Me, serves it as FHIR, and $transform gives back the same MODS', async () => {
    const aboutMe = fixture('about-me.margaret-okafor');
    const published = await t.call('POST', `${T}/mods/about-me`, { body: aboutMe, headers: json });
    expect(published.status, published.text).toBe(201);
    const { id, version, fhir } = published.json as { id: string; version: number; fhir: string[] };
    expect(version).toBe(1);
    expect(fhir).toEqual([`QuestionnaireResponse/${id}`]);
    expect(published.headers.location).toBe(`http://scip.test${T}/mods/about-me/${id}`);

    const asFhir = await t.call('GET', `${T}/fhir/${fhir[0]}`);
    expect(asFhir.status).toBe(200);
    expect(asFhir.json.subject.reference).toBe('Patient/soc-0001');
    expect(asFhir.json.item.map((i: { linkId: string }) => i.linkId)).toContain('communication');

    const back = await t.call('POST', `${T}/fhir/StructureMap/$transform`, {
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'source', valueUri: 'https://openscip.org/fhir/StructureMap/fhir-to-mods-about-me' },
          { name: 'content', resource: asFhir.json },
        ],
      },
    });
    expect(back.status, back.text).toBe(200);
    expect(back.headers['content-type']).toMatch(/^application\/json/);
    expect(back.json).toMatchObject({ ...aboutMe, recordUid: id, versionNumber: 1 });

    const read = await t.call('GET', `${T}/mods/about-me/${id}`);
    expect(read.json).toEqual(back.json);
    expect(read.headers['content-type']).toMatch(/^application\/json/);
  });

  it('keeps every version: PUT makes version 2, history shows both, latest is shown', async () => {
    const published = await t.call('POST', `${T}/mods/about-me`, { body: { ...fixture('about-me.margaret-okafor'), recordUid: 'am-hist' }, headers: json });
    expect(published.status).toBe(201);
    const v2 = { subjectOfCare: { ref: 'soc-0001' }, sections: { wellness: { freeText: 'Walks in the garden every morning now.' } }, dateLastUpdated: '2026-02-01T09:30:00Z' };
    const updated = await t.call('PUT', `${T}/mods/about-me/am-hist`, { body: v2, headers: json });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.version).toBe(2);
    expect((await t.call('PUT', `${T}/mods/about-me/am-hist`, { body: { ...v2, versionNumber: 2 }, headers: json })).status).toBe(409);

    const latest = await t.call('GET', `${T}/mods/about-me/am-hist`);
    expect(latest.json.sections.wellness.freeText).toBe('Walks in the garden every morning now.');
    expect(latest.json.sections.mostImportant).toBeUndefined();
    expect(latest.json.dateLastUpdated).toBe('2026-02-01T09:30:00Z');
    const history = await t.call('GET', `${T}/mods/about-me/am-hist/_history`);
    expect(history.json.versions.map((v: { versionNumber: number }) => v.versionNumber)).toEqual([2, 1]);
    expect(history.json.versions[1].record.sections.mostImportant.freeText).toBe('My faith and my Sunday phone call with my sister.');
  });

  it('a new version drops parts the record no longer has, and history still shows them', async () => {
    const soc = { ...fixture('subject-of-care.no-nhs-number') };
    expect((await t.call('POST', `${T}/mods/subject-of-care`, { body: soc, headers: json })).status).toBe(201);
    expect((await t.call('GET', `${T}/fhir/Observation/soc-0003-is`)).status).toBe(200);
    const { immigrationStatus: _dropped, ...withoutStatus } = soc;
    const v2 = await t.call('PUT', `${T}/mods/subject-of-care/soc-0003`, { body: withoutStatus, headers: json });
    expect(v2.status, v2.text).toBe(200);
    expect(v2.json.fhir).not.toContain('Observation/soc-0003-is');
    expect((await t.call('GET', `${T}/fhir/Observation/soc-0003-is`)).status).toBe(410);
    expect((await t.call('GET', `${T}/mods/subject-of-care/soc-0003`)).json.immigrationStatus).toBeUndefined();
    const history = await t.call('GET', `${T}/mods/subject-of-care/soc-0003/_history`);
    expect(history.status, history.text).toBe(200);
    expect(history.json.versions[1].record.immigrationStatus).toBe('Settled status');
  });

  it('lists the records of a class for a subject, and resolves subjects by NHS number', async () => {
    const alert = fixture('alert.dangerous-dog');
    expect((await t.call('POST', `${T}/mods/alert`, { body: alert, headers: json })).status).toBe(201);
    const byNhs = await t.call('POST', `${T}/mods/alert`, { body: { ...alert, subjectOfCare: { nhsNumber: '9990000018' }, text: 'Second alert' }, headers: json });
    expect(byNhs.status, byNhs.text).toBe(201);
    const flag = await t.call('GET', `${T}/fhir/${byNhs.json.fhir[0] as string}`);
    expect(flag.json.subject).toMatchObject({ reference: 'Patient/soc-0001', identifier: { value: '9990000018' } });

    const listed = await t.call('GET', `${T}/mods/alert?subjectOfCare=soc-0001`);
    expect(listed.status).toBe(200);
    expect(listed.json.resourceType).toBe('MODS-Collection');
    expect(listed.json.records.map((r: { text: string }) => r.text).sort()).toEqual(['Second alert', 'Visiting staff must ring before arrival.']);
    expect((await t.call('GET', `${T}/mods/risk?subjectOfCare=soc-0001`)).json.records).toEqual([]);
  });

  it('refuses a bad record with one issue per problem, each at its MODS path, and stores nothing', async () => {
    const before = (await t.call('GET', `${T}/fhir/Flag?_total=accurate&_summary=count`)).json.total as number;
    expect(typeof before).toBe('number');
    const bad = await t.call('POST', `${T}/mods/alert`, {
      body: { subjectOfCare: { ref: 'nobody' }, status: { code: 'resolved' }, startDate: 'yesterday', colour: 'red' },
      headers: json,
    });
    expect(bad.status).toBe(422);
    expect(bad.json.resourceType).toBe('OperationOutcome');
    expect(bad.json.issue.map((i: { expression: string[] }) => i.expression[0]).sort()).toEqual(['alert.colour', 'alert.startDate', 'alert.status']);

    const unknownSubject = await t.call('POST', `${T}/mods/alert`, { body: { subjectOfCare: { ref: 'nobody' }, status: { code: 'active' } }, headers: json });
    expect(unknownSubject.status).toBe(422);
    expect(unknownSubject.json.issue[0].expression).toEqual(['alert.subjectOfCare']);
    const badNhs = await t.call('POST', `${T}/mods/alert`, { body: { subjectOfCare: { nhsNumber: '9990000019' }, status: { code: 'active' } }, headers: json });
    expect(badNhs.json.issue[0].expression).toEqual(['alert.subjectOfCare.nhsNumber']);

    const unparseable = await t.call('POST', `${T}/mods/alert`, { payload: '{"status": ', headers: json });
    expect(unparseable.status).toBe(400);
    expect(unparseable.json.resourceType).toBe('OperationOutcome');
    expect((await t.call('GET', `${T}/fhir/Flag?_total=accurate&_summary=count`)).json.total).toBe(before);
  });

  it('a publish is one transaction: a record whose FHIR fails validation writes none of its resources', async () => {
    const worker = { ...fixture('care-worker.daniel-price'), recordUid: 'cw-tx', providesCareFor: [{ subjectOfCare: { ref: 'soc-0001' } }, { subjectOfCare: { ref: 'ghost' } }] };
    const refused = await t.call('POST', `${T}/mods/care-worker`, { body: worker, headers: json });
    expect(refused.status).toBe(422);
    expect(refused.json.issue[0].expression).toEqual(['careWorker.providesCareFor[1].subjectOfCare']);
    expect((await t.call('GET', `${T}/fhir/Practitioner/cw-tx`)).status).toBe(404);
    expect((await t.call('GET', `${T}/fhir/CareTeam/cw-tx-ct-1`)).status).toBe(404);
    const ok = await t.call('POST', `${T}/mods/care-worker`, { body: { ...worker, providesCareFor: [{ subjectOfCare: { ref: 'soc-0001' }, keyWorker: true }] }, headers: json });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json.fhir).toEqual(['Practitioner/cw-tx', 'PractitionerRole/cw-tx-role', 'CareTeam/cw-tx-ct-1']);
    expect((await t.call('GET', `${T}/mods/care-worker?subjectOfCare=soc-0001`)).json.records.map((r: { recordUid: string }) => r.recordUid)).toEqual(['cw-tx']);
    expect((await t.call('POST', `${T}/mods/care-worker`, { body: { ...worker, providesCareFor: undefined }, headers: json })).status).toBe(409);
  });

  it('$transform shorthand both ways, on the central and tenant bases', async () => {
    for (const base of ['/fhir', `${T}/fhir`]) {
      const risk = fixture('risk.falls');
      const toFhir = await t.call('POST', `${base}/$transform?target=fhir&class=risk`, { body: risk, headers: json });
      expect(toFhir.status, toFhir.text).toBe(200);
      expect(toFhir.json.resourceType).toBe('Observation');
      expect(toFhir.headers['content-type']).toMatch(/^application\/fhir\+json/);
      const back = await t.call('POST', `${base}/$transform?target=mods`, { body: toFhir.json });
      expect(back.status, back.text).toBe(200);
      expect(back.json).toMatchObject({ resourceType: 'MODS-Risk', trigger: risk.trigger, riskLocation: risk.riskLocation });

      const soc = await t.call('POST', `${base}/$transform?target=fhir&class=subject-of-care`, { body: fixture('subject-of-care.margaret-okafor'), headers: json });
      expect(soc.json.resourceType).toBe('Bundle');
      expect(soc.json.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient', 'Observation']);
      const socBack = await t.call('POST', `${base}/$transform?target=mods`, { body: soc.json });
      expect(socBack.json).toMatchObject({ resourceType: 'MODS-Collection', records: [{ recordUid: 'soc-0001', sexualOrientation: { code: '20430005' } }] });
    }
  });

  it('$transform explains what it cannot do', async () => {
    const unknownMap = await t.call('POST', '/fhir/StructureMap/$transform', {
      body: { resourceType: 'Parameters', parameter: [{ name: 'source', valueUri: 'https://openscip.org/fhir/StructureMap/mods-nothing-to-fhir' }] },
    });
    expect(unknownMap.status).toBe(404);
    expect(unknownMap.json.issue[0].expression).toEqual(['Parameters.parameter.source']);
    const ambiguous = await t.call('POST', '/fhir/$transform?target=mods', { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' } } });
    expect(ambiguous.status).toBe(422);
    expect(ambiguous.json.issue[0].expression).toEqual(['class']);
    const badMods = await t.call('POST', '/fhir/$transform?target=fhir&class=alert', { body: { status: { code: 'active' } }, headers: json });
    expect(badMods.status).toBe(422);
    expect(badMods.json.issue[0].expression).toEqual(['alert.subjectOfCare']);
  });

  it('lists the StructureMaps and serves the MODS code systems on every base', async () => {
    for (const base of ['/fhir', `${T}/fhir`]) {
      const maps = await t.call('GET', `${base}/StructureMap?_count=100&_elements=url`);
      const urls = maps.json.entry.map((e: { resource: { url: string } }) => e.resource.url);
      expect(urls).toHaveLength(38);
      expect(urls).toContain('https://openscip.org/fhir/StructureMap/mods-about-me-to-fhir');
      expect(urls).toContain('https://openscip.org/fhir/StructureMap/fhir-to-mods-alert');
    }
    const metadata = await t.call('GET', `${T}/fhir/metadata`, { as: null });
    expect(metadata.json.rest[0].operation).toEqual([{ name: 'transform', definition: 'http://hl7.org/fhir/OperationDefinition/StructureMap-transform' }]);
    const structureMap = metadata.json.rest[0].resource.find((r: { type: string }) => r.type === 'StructureMap');
    expect(structureMap.operation.map((o: { name: string }) => o.name)).toEqual(['validate', 'transform']);
    const cs = await t.call('GET', '/fhir/CodeSystem?url=https://openscip.org/fhir/CodeSystem/mods-alert-status');
    expect(cs.json.entry[0].resource.concept.map((c: { code: string }) => c.code)).toEqual(['active', 'no-longer-needed', 'entered-in-error']);
  });

  it('reads a resource written through FHIR as MODS when its type is one class, and says what MODS lacks', async () => {
    const flag = await t.call('POST', `${T}/fhir/Flag`, { body: { resourceType: 'Flag', status: 'inactive', code: { text: 'Key safe code changed' }, subject: { reference: 'Patient/soc-0001' } } });
    expect(flag.status).toBe(201);
    const asMods = await t.call('GET', `${T}/mods/alert/${flag.json.id as string}`);
    expect(asMods.status, asMods.text).toBe(200);
    expect(asMods.json).toMatchObject({ resourceType: 'MODS-Alert', status: { code: 'no-longer-needed' }, code: { text: 'Key safe code changed' }, subjectOfCare: { ref: 'soc-0001' }, versionNumber: 1 });

    const observation = await t.call('POST', `${T}/fhir/Observation`, { body: { resourceType: 'Observation', status: 'final', code: { text: 'Weight' }, subject: { reference: 'Patient/soc-0001' } } });
    expect((await t.call('GET', `${T}/mods/risk/${observation.json.id as string}`)).status).toBe(404);

    const patient = await t.call('POST', `${T}/fhir/Patient`, { body: { resourceType: 'Patient', name: [{ family: 'Native', given: ['Nia'] }], gender: 'female', birthDate: '1950-02-02' } });
    const lacking = await t.call('GET', `${T}/mods/subject-of-care/${patient.json.id as string}`);
    expect(lacking.status).toBe(422);
    expect(lacking.json.issue.map((i: { expression: string[] }) => i.expression[0]).sort()).toEqual(['subjectOfCare.ethnicity', 'subjectOfCare.sexualOrientation']);
  });

  it('a tenant added while the platform runs gets the catalogue on first use', async () => {
    await platformRecords.upsertTenant(t.platform.db, { id: 'late-tenant', name: 'Added at run time', kind: 'care-home' });
    const maps = await t.call('GET', '/tenants/late-tenant/fhir/StructureMap?_count=100&_elements=url', { as: 'platform-admin' });
    expect(maps.status, maps.text).toBe(200);
    expect(maps.json.entry).toHaveLength(38);
  });

  it('needs a token, the caller’s own tenant and a known class', async () => {
    expect((await t.call('GET', `${T}/mods/alert?subjectOfCare=soc-0001`, { as: null })).status).toBe(401);
    expect((await t.call('GET', '/tenants/meadow-homecare/mods/alert?subjectOfCare=soc-0001')).status).toBe(403);
    const unknown = await t.call('GET', `${T}/mods/horoscope?subjectOfCare=soc-0001`);
    expect(unknown.status).toBe(404);
    expect(unknown.json.resourceType).toBe('OperationOutcome');
    expect(unknown.json.issue[0].diagnostics).toContain("Unknown MODS class 'horoscope'");
    // An unknown class is answered only to a caller admitted to the tenant, as a known one is.
    expect((await t.call('GET', `${T}/mods/horoscope?subjectOfCare=soc-0001`, { as: null })).status).toBe(401);
    expect((await t.call('GET', '/tenants/meadow-homecare/mods/horoscope?subjectOfCare=soc-0001')).status).toBe(403);
    expect((await t.call('GET', '/tenants/no-such-tenant/mods/horoscope?subjectOfCare=soc-0001')).status).toBe(404);
  });
});
