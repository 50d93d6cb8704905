// The central digest, set-wise: a backlog of registrations is matched, linked, located and settled a
// batch at a time in a few statements per batch — and records of one person arriving in the same batch
// still meet each other, as they would one at a time.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../store/index.js';
import { testDatabases } from '../../test/support/databases.js';
import { ukCorePatient, testNhsNumber } from '../../test/support/patients.js';
import { suitePlatform } from '../../test/support/platform.js';

const GIVEN = ['Ada', 'Bertram', 'Cordelia', 'Desmond', 'Edith', 'Fergus', 'Gwendolyn', 'Horace', 'Imelda', 'Jasper', 'Kathleen', 'Leopold', 'Mabel', 'Norbert', 'Ottoline', 'Percival', 'Queenie', 'Rupert', 'Sybil', 'Thaddeus', 'Ursula', 'Vernon', 'Winifred', 'Xavier', 'Yvonne', 'Zachary', 'Agatha', 'Bartholomew', 'Clementine', 'Digby'];
const FAMILY = ['Ashworth', 'Blackwood', 'Cartwright', 'Dunmore', 'Ellery', 'Fairbairn', 'Gillespie', 'Hartigan', 'Ingleby', 'Jessop', 'Kilbride', 'Lockhart', 'Mountjoy', 'Northcote', 'Ormerod', 'Pennington', 'Quarrie', 'Rushworth', 'Stainforth', 'Thistlewood', 'Umfreville', 'Vavasour', 'Wetherby', 'Yardley', 'Zouche', 'Aldridge', 'Bramall', 'Crowther', 'Dewhurst', 'Entwistle'];
const people = GIVEN.map((given, i) => ukCorePatient({ given, family: FAMILY[i], birthDate: `${1930 + i}-0${(i % 9) + 1}-1${i % 10}`, postcode: `LS${i + 1} 4AB`, nhs: { value: testNhsNumber(700_000 + i * 7), verified: true } }));

describe.each(await testDatabases())('set-wise digest on $name', (database) => {
  const t = suitePlatform(database);
  beforeAll(async () => {
    // The backlog builds up first, then is digested while its statements are counted.
    await t.platform.federation.feed.stop();
  });

  it('digests a backlog of registrations in a few statements per batch, and one person arriving twice in it stays one person', async () => {
    const transaction = (tenant: string, patients: object[], as?: string) =>
      t.call('POST', `/tenants/${tenant}/fhir`, { ...(as ? { as } : {}), body: { resourceType: 'Bundle', type: 'transaction', entry: patients.map((resource) => ({ resource, request: { method: 'POST', url: 'Patient' } })) } });
    expect((await transaction('sunrise-care', people)).status).toBe(200);
    // The first person again, at another tenant, in the same backlog.
    expect((await transaction('meadow-homecare', [people[0]], 'meadow-homecare-system')).status).toBe(200);
    // The second person registered through MODS at a third: the request is settled with the shared person.
    const [given, family] = [GIVEN[1], FAMILY[1]];
    const registration = await t.call('POST', '/tenants/city-hospital/mods/subjects-of-care/register', {
      as: 'city-hospital-system',
      headers: { 'content-type': 'application/json' },
      body: { subjectOfCareId: 'h-0002', name: { given, family }, identification: { nhsNumber: people[1].identifier?.[0].value }, dateOfBirth: people[1].birthDate, genderIdentity: { code: '2' } },
    });
    expect(registration.status, registration.text).toBe(202);

    const db = t.platform.db;
    const transact = db.transaction.bind(db);
    let statements = 0;
    db.transaction = (fn) => transact((tx) => fn({ query: (text, params, options) => (statements++, tx.query(text, params, options)) } satisfies Queryable));
    try {
      await t.platform.federation.feed.drain();
    } finally {
      db.transaction = transact;
    }

    const links = await db.query<{ tenant: string; patient_id: string; person_id: string; nhs: string }>(
      `SELECT l.tenant, l.patient_id, l.person_id, r.features::json->>'nhsNumber' AS nhs FROM person_link l JOIN identity_record r USING (tenant, patient_id)`,
    );
    expect(links).toHaveLength(people.length + 2);
    const personOf = new Map<string, Set<string>>();
    for (const l of links) personOf.set(l.nhs, (personOf.get(l.nhs) ?? new Set()).add(l.person_id));
    // One person per NHS number, however many tenants hold them.
    expect(personOf.size).toBe(people.length);
    for (const persons of personOf.values()) expect(persons.size).toBe(1);
    const [pointers] = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM resource WHERE tenant = 'platform' AND type = 'DocumentReference' AND NOT deleted`);
    expect(Number(pointers.n)).toBe(people.length + 2);
    const status = await t.call('GET', String(registration.headers.location).replace('http://scip.test', ''), { as: 'city-hospital-system' });
    expect(status.json).toMatchObject({ status: 'registered', personId: [...(personOf.get(people[1].identifier?.[0].value as string) ?? [])][0] });
    // One change at a time took about thirteen statements per registration (~430 here); set-wise,
    // each lane's batch takes a fixed number, whatever its size.
    expect(statements).toBeLessThan(100);
  });
});
