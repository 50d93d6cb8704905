// The audit trail over HTTP on both databases: every request leaves one AuditEvent (reads, searches
// naming every person returned, writes, denials, token requests), the trail answers "who has looked at
// this person's record", it is append-only and hash-chained so that `verify` finds any alteration, gap
// or truncation, and a request whose audit cannot be written fails closed.
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/access/index.js';
import { blockKeys, keyHashesStored, readBlockEvents } from '../src/store/index.js';
import { scip } from './support/cli.js';
import { testDatabases } from './support/databases.js';
import { eventually } from './support/eventually.js';
import { suitePlatform } from './support/platform.js';

const ADMIN = 'platform-admin';
const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

interface AuditEventJson {
  id: string;
  action: string;
  outcome: string;
  subtype: { code: string }[];
  agent: { who: { identifier: { value: string } } }[];
  entity?: { what: { reference: string } }[];
  extension: { url: string; valueString: string }[];
  purposeOfEvent: { coding: { code: string }[] }[];
}

describe.each(await testDatabases())('audit trail on $name', (database) => {
  const t = suitePlatform(database);

  const trail = async (query: string): Promise<AuditEventJson[]> => {
    await t.platform.audit.settled();
    const res = await t.call('GET', `/fhir/AuditEvent?${query}`, { as: ADMIN });
    expect(res.status, res.text).toBe(200);
    return ((res.json.entry ?? []) as { resource: AuditEventJson }[]).map((e) => e.resource);
  };
  const byCorrelation = async (id: string): Promise<AuditEventJson> => {
    const events = await trail(`_count=200`);
    const found = events.find((e) => e.extension.some((x) => x.valueString === id));
    expect(found, `an AuditEvent with correlation id ${id}`).toBeDefined();
    return found as AuditEventJson;
  };

  it('records a read: who, what, the outcome, the purpose and the correlation id', async () => {
    const created = await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', name: [{ family: 'Audit', given: ['Ada'] }] } });
    const read = await t.call('GET', `/tenants/sunrise-care/fhir/Patient/${created.json.id as string}`, { headers: { 'x-request-id': 'audit-read-1' } });
    expect(read.status).toBe(200);
    expect(read.headers['x-request-id']).toBe('audit-read-1');
    const event = await byCorrelation('audit-read-1');
    expect(event).toMatchObject({ action: 'R', outcome: '0', subtype: [{ code: 'read' }], agent: [{ who: { identifier: { value: 'sunrise-care-system' } } }], purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }] });
    expect(event.entity?.map((e) => e.what.reference)).toEqual([`http://scip.test/tenants/sunrise-care/fhir/Patient/${created.json.id as string}`]);
    expect((await trail(`entity=http://scip.test/tenants/sunrise-care/fhir/Patient/${created.json.id as string}`)).map((e) => e.subtype[0].code).sort()).toEqual(['create', 'read']);
  });

  it('names every person a search returned', async () => {
    const ids: string[] = [];
    for (const given of ['Bea', 'Cy']) ids.push((await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', name: [{ family: 'Searchaudit', given: [given] }] } })).json.id as string);
    await t.call('GET', '/tenants/sunrise-care/fhir/Patient?family=Searchaudit', { headers: { 'x-request-id': 'audit-search-1' } });
    const event = await byCorrelation('audit-search-1');
    expect(event).toMatchObject({ action: 'E', subtype: [{ code: 'search-type' }] });
    expect(event.entity?.map((e) => e.what.reference).sort()).toEqual(ids.map((id) => `http://scip.test/tenants/sunrise-care/fhir/Patient/${id}`).sort());
  });

  it("answers who has looked at a person's record, across the tenants that hold it", async () => {
    const nhs = '9990000301';
    const patient = { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Lookedat', given: ['Dora'] }], birthDate: '1950-01-01' };
    const a = (await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: patient })).json.id as string;
    const b = (await t.call('POST', '/tenants/meadow-homecare/fhir/Patient', { body: patient, as: 'meadow-homecare-system' })).json.id as string;
    await t.platform.federation.feed.drain();
    const person = (await t.call('GET', `/fhir/Patient?identifier=${NHS}|${nhs}`)).json.entry[0].resource.id as string;
    await t.call('GET', `/tenants/meadow-homecare/fhir/Patient/${b}`, { as: 'meadow-homecare-system' });
    await t.call('GET', `/fhir/Patient/${person}/$everything`, { as: 'city-hospital-system' });
    const looked = await trail(`patient=Patient/${person}`);
    const who = new Set(looked.map((e) => `${e.agent[0].who.identifier.value}:${e.subtype[0].code}`));
    expect(who).toContain('meadow-homecare-system:read');
    expect(who).toContain('city-hospital-system:operation');
    expect(who).toContain('sunrise-care-system:create');
    expect(looked.every((e) => e.entity?.length)).toBe(true);
    void a;
    const forbidden = await t.call('GET', `/fhir/AuditEvent?patient=Patient/${person}`);
    expect(forbidden.status).toBe(403);
    expect((await t.call('GET', '/fhir/AuditEvent?colour=red', { as: ADMIN })).status).toBe(400);
  });

  it("counts a client's events when asked to, and pages them with next links either way", async () => {
    await t.platform.audit.settled();
    const page = async (query: string) => {
      const res = await t.call('GET', `/fhir/AuditEvent?${query}`, { as: ADMIN });
      expect(res.status, res.text).toBe(200);
      return res.json as { total?: number; entry?: unknown[]; link: { relation: string; url: string }[] };
    };
    const uncounted = await page('agent=sunrise-care-system&_count=1');
    expect(uncounted.total).toBeUndefined();
    expect(uncounted.entry).toHaveLength(1);
    expect(uncounted.link.map((l) => l.relation)).toContain('next');
    const counted = await page('agent=sunrise-care-system&_count=1&_total=accurate');
    expect(counted.total).toBeGreaterThan(1);
    const all = await page('agent=sunrise-care-system&_count=1000');
    expect(all.entry).toHaveLength(counted.total as number);
    expect(all.link.map((l) => l.relation)).not.toContain('next');
    const wrong = await t.call('GET', '/fhir/AuditEvent?_total=everything', { as: ADMIN });
    expect(wrong.status).toBe(400);
    expect(wrong.json.issue[0].expression).toEqual(['_total']);
  });

  it('records denials and token requests', async () => {
    const anonymous = await t.call('GET', '/tenants/sunrise-care/fhir/Patient', { as: null, headers: { 'x-request-id': 'audit-denied-1' } });
    expect(anonymous.status).toBe(401);
    expect(await byCorrelation('audit-denied-1')).toMatchObject({ outcome: '4', agent: [{ who: { identifier: { value: 'anonymous' } } }] });
    const crossTenant = await t.call('GET', '/tenants/meadow-homecare/fhir/Patient', { headers: { 'x-request-id': 'audit-denied-2' } });
    expect(crossTenant.status).toBe(403);
    expect(await byCorrelation('audit-denied-2')).toMatchObject({ outcome: '4', agent: [{ who: { identifier: { value: 'sunrise-care-system' } } }] });
    const probe = await t.call('GET', '/tenants/meadow-homecare/fhir/Patient/not-yours', { headers: { 'x-request-id': 'audit-denied-3' } });
    expect(probe.status).toBe(403);
    expect((await byCorrelation('audit-denied-3')).entity?.map((e) => e.what.reference)).toEqual(['http://scip.test/tenants/meadow-homecare/fhir/Patient/not-yours']);
    const token = await t.call('POST', '/oauth2/token', { as: null, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'audit-token-1' }, payload: 'grant_type=client_credentials&client_id=nobody&client_secret=x' });
    expect(token.status).toBe(401);
    expect(await byCorrelation('audit-token-1')).toMatchObject({ outcome: '4', subtype: [{ code: 'POST /oauth2/token' }], agent: [{ who: { identifier: { value: 'nobody' } } }] });
  });

  it('is append-only, and verification finds an altered event, a missing one, a cut-off end and altered search keys', async () => {
    const db = t.platform.db;
    await t.platform.audit.settled();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    await expect(db.query("UPDATE audit_block SET key_hashes = '{}' WHERE first_seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.query('DELETE FROM audit_block WHERE first_seq = 1')).rejects.toThrow(/append-only/);

    // Someone with the database owner's powers goes around the trigger, rewriting the block that holds
    // event `seq` as they like — a block is a line per event — with its bounds and search keys (stored
    // hashed) made to match (unless `keys` says otherwise): verification still finds it.
    type Line = { seq: number; text: string };
    const tamper = async (seq: number, change: (lines: Line[]) => Line[], keys?: (keys: string[]) => string[]): Promise<() => Promise<void>> => {
      const [block] = await db.query<{ chain: string; first_seq: string; key_hashes: string[]; events: string }>(
        'SELECT chain, first_seq, key_hashes::text[] AS key_hashes, events FROM audit_block WHERE $1 BETWEEN first_seq AND last_seq', [seq]);
      const original = readBlockEvents(block.events);
      const lines = change(block.events.split('\n').map((text, i) => ({ seq: original[i].seq, text })));
      const text = lines.map((l) => l.text).join('\n');
      const write = async (sql: string, params: unknown[]): Promise<void> => {
        await db.query('ALTER TABLE audit_block DISABLE TRIGGER audit_block_append_only');
        await db.query(sql, params);
        await db.query('ALTER TABLE audit_block ENABLE TRIGGER audit_block_append_only');
      };
      if (lines.length) {
        await write('UPDATE audit_block SET first_seq = $3, last_seq = $4, key_hashes = $5::bigint[], events = $6 WHERE chain = $1 AND first_seq = $2', [
          block.chain, block.first_seq, lines[0].seq, lines[lines.length - 1].seq, keyHashesStored(keys ? keys(blockKeys(original)) : blockKeys(readBlockEvents(text))), text]);
      } else {
        await write('DELETE FROM audit_block WHERE chain = $1 AND first_seq = $2', [block.chain, block.first_seq]);
      }
      return () => write('DELETE FROM audit_block WHERE chain = $1 AND first_seq = $2', [block.chain, lines.length ? lines[0].seq : -1])
        .then(() => write('INSERT INTO audit_block (chain, first_seq, last_seq, recorded_from, recorded_to, key_hashes, events) VALUES ($1, $2, $3, $4, $4, $5::bigint[], $6)', [
          block.chain, original[0].seq, original[original.length - 1].seq, original[0].recorded, block.key_hashes, block.events]));
    };
    let restore = await tamper(3, (lines) => lines.map((l) => (l.seq === 3 ? { ...l, text: l.text.replace('sunrise-care-system', 'someone-else') } : l)));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problem: { seq: 3, reason: expect.stringMatching(/altered/) } });
    await restore();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    // A record taken out of an event's header (and out of the block's keys to match): the hash covers it.
    restore = await tamper(3, (lines) => lines.map((l) => (l.seq === 3 ? { ...l, text: l.text.replace(/"entities":\[[^\]]*\]/, '"entities":[]') } : l)));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problem: { seq: 3, reason: expect.stringMatching(/altered/) } });
    await restore();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    // Hiding an event from "who has looked at this record" by editing the block's search keys.
    restore = await tamper(3, (events) => events, (keys) => keys.filter((k) => !k.startsWith('entity:')));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/search keys/) } });
    await restore();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    const [{ n }] = await db.query<{ n: string }>('SELECT max(last_seq) AS n FROM audit_block');
    restore = await tamper(Number(n), (lines) => lines.slice(0, -1));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(/removed from its end/) } });
    await restore();
    await tamper(5, (lines) => lines.filter((l) => l.seq !== 5));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, problem: { seq: 5, reason: expect.stringMatching(/missing/) } });
  });
});

describe.each(await testDatabases())('audit failing closed on $name', (database) => {
  const t = suitePlatform(database);

  it('fails closed while the audit trail cannot be written, and loses no event', async () => {
    const created = await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', name: [{ family: 'Closed' }] } });
    const read = () => t.call('GET', `/tenants/sunrise-care/fhir/Patient/${created.json.id as string}`, { headers: { 'x-request-id': `closed-${Math.random()}` } });
    await t.platform.audit.settled();
    await t.platform.db.query('ALTER TABLE audit_chain RENAME TO audit_chain_away');
    try {
      // Write-behind: the read whose event meets the failure may still be answered; its event is kept.
      const first = await read();
      await t.platform.audit.settled();
      const refused = await read();
      expect(refused.status).toBe(500);
      expect(refused.json.resourceType).toBe('OperationOutcome');
      expect(refused.text).not.toContain('Closed');
      expect(refused.headers.etag).toBeUndefined();
      expect([200, 500]).toContain(first.status);
    } finally {
      await t.platform.db.query('ALTER TABLE audit_chain_away RENAME TO audit_chain');
    }
    // Once it can be written again, the queued events are, and requests are answered.
    await eventually(async () => expect((await read()).status).toBe(200));
    await t.platform.audit.settled();
    expect(await verifyAuditChain(t.platform.db)).toMatchObject({ ok: true });
    const [{ n }] = await t.platform.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_block b, regexp_split_to_table(b.events, E'\\n') line WHERE line LIKE '%closed-%'`);
    expect(Number(n)).toBeGreaterThanOrEqual(2);
  });

  it('is verified from the command line', async () => {
    await t.platform.audit.settled();
    if (t.platform.config.databaseUrl) {
      const res = await scip({ DATABASE_URL: t.platform.config.databaseUrl }, 'audit', 'verify', '--no-progress');
      expect(res.status, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ ok: true });
      expect(JSON.parse(res.stdout).events).toBeGreaterThan(2);
    }
  });
});
