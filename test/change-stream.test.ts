// The central platform's digest of the JetStream change stream (DPLs with their own store), on a real
// NATS server and store: changes apply once — a change redelivered after it was applied (a crash between
// the commit and the acknowledgement) is recognised by the position recorded with it — and how each
// registration ended is published back for the DPL. A DPL relays each change with what its tenant holds
// about the Patient it concerns.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeDigest, ChangeFeed, ChangeStream, DestinationUnavailable, feeds, OutboxSource, RecordLocator, relayChanges, relaySettlements, settleAtDpl } from '../src/federation/index.js';
import type { FederationSettings } from '../src/federation/index.js';
import type { Repository } from '../src/store/index.js';
import { DEFAULT_MODEL, PersonIndex } from '../src/identity/index.js';
import { pglite } from './support/databases.js';
import { eventually } from './support/eventually.js';
import { NATS_URL, natsNamespace, natsReachable } from './support/nats.js';
import { PUBLIC_URL, suitePlatform } from './support/platform.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

describe.skipIf(!(await natsReachable()))('change stream digest', () => {
  const t = suitePlatform(pglite);
  let stream: ChangeStream;
  const { namespace, cleanup } = natsNamespace('scip-stream');
  // A stream of its own for a test that starts a digest afresh (a consumer's earlier pull would take its messages).
  const lanes = natsNamespace('scip-lanes');
  beforeAll(async () => {
    stream = await ChangeStream.connect(NATS_URL, namespace, pino({ level: 'silent' }));
    // The tests move the changes themselves.
    await t.platform.federation.feed.stop();
  });
  afterAll(async () => {
    await stream?.close();
    await cleanup();
    await lanes.cleanup();
  });

  it('applies each change once and publishes how registrations ended', async () => {
    const settings: FederationSettings = { centralTenant: 'platform', tenantBase: (tenant) => `${PUBLIC_URL}/tenants/${tenant}/fhir` };
    const locator = new RecordLocator(t.platform.defs, settings);
    const digest = new ChangeDigest(new PersonIndex({ ...settings, model: DEFAULT_MODEL }), locator, settings, settleAtDpl);
    const relay = relaySettlements(t.platform.repo, stream, pino({ level: 'silent' }));
    const patient = (id: string, nhs: string) => ({
      tenant: 'sunrise-care',
      type: 'Patient',
      id,
      version: 1,
      deleted: false,
      content: JSON.stringify({ resourceType: 'Patient', id, identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Stream', given: [id] }], birthDate: '1950-01-01' }),
      patients: { [id]: [{ type: 'Patient', count: 1, lastUpdated: '2026-11-29T10:00:00.000Z' }] },
    });
    await stream.publishChange(patient('applied-before', '9990000018'));
    await stream.publishChange(patient('new', '9990000026'));
    // As if the first had been applied and the process died before acknowledging it.
    const nc = await connect({ servers: NATS_URL });
    const { created, state } = await (await jetstreamManager(nc)).streams.info(`${namespace}-changes`);
    await t.platform.repo.federation.setFeedPosition(`${namespace}-changes@${created}`, state.first_seq);

    const feed = feeds((await stream.changes(t.platform.repo, 4)).map((source) => new ChangeFeed(t.platform.repo, source, digest.apply, pino({ level: 'silent' }))));
    const persons = async (nhs: string): Promise<{ resource: { id: string } }[]> => (await t.call('GET', `/fhir/Patient?identifier=${NHS}|${nhs}`)).json.entry ?? [];
    const [person] = await eventually(async () => {
      await feed.drain();
      await relay.drain();
      const found = await persons('9990000026');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(await persons('9990000018')).toHaveLength(0);
    // The locator pointer carries what the DPL said it holds (this database holds none of the Patient's rows).
    const pointers = (await t.call('GET', `/fhir/DocumentReference?subject=Patient/${person.resource.id}`)).json.entry ?? [];
    expect(pointers.map((e: { resource: { extension: { extension: { valueCode?: string }[] }[] } }) => e.resource.extension[0].extension[0].valueCode)).toEqual(['Patient']);

    const jsm = await jetstreamManager(nc);
    await eventually(async () => expect((await jsm.streams.info(`${namespace}-changes`)).state.messages).toBe(0));
    const settlements = await jsm.streams.info(`${namespace}-settlements`);
    expect(settlements.state.messages).toBe(1);
    const settled = JSON.parse(new TextDecoder().decode((await jsm.streams.getMessage(`${namespace}-settlements`, { seq: settlements.state.first_seq }))?.data));
    expect(settled).toMatchObject({ tenant: 'sunrise-care', subjectOfCareId: 'new', upToVersion: 1, outcome: { status: 'registered', personId: person.resource.id } });
    await nc.close();
  });

  it('recognises a change its lane applied before a crash, applies those after it, sets aside what is not a change, and idles without transactions', async () => {
    const settings: FederationSettings = { centralTenant: 'platform', tenantBase: (tenant) => `${PUBLIC_URL}/tenants/${tenant}/fhir` };
    const digest = new ChangeDigest(new PersonIndex({ ...settings, model: DEFAULT_MODEL }), new RecordLocator(t.platform.defs, settings), settings, settleAtDpl);
    const patient = (id: string, nhs: string) => ({
      tenant: 'sunrise-care', type: 'Patient', id, version: 1, deleted: false,
      content: JSON.stringify({ resourceType: 'Patient', id, identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Lane', given: [id] }], birthDate: '1951-01-01' }),
      patients: { [id]: [{ type: 'Patient', count: 1, lastUpdated: '2026-11-29T10:00:00.000Z' }] },
    });
    const own = await ChangeStream.connect(NATS_URL, lanes.namespace, pino({ level: 'silent' }));
    await own.publishChange(patient('lane-applied', '9990000034'));
    const nc = await connect({ servers: NATS_URL });
    const { created, state } = await (await jetstreamManager(nc)).streams.info(`${lanes.namespace}-changes`);
    await nc.close();
    // Whichever lane it travels in has applied it, as far as the recorded positions say.
    for (let lane = 0; lane < 4; lane++) await t.platform.repo.federation.setFeedPosition(`${lanes.namespace}-changes@${created}#${lane}`, state.last_seq);
    // A message that is not a change at all is set aside, not the end of the stream's digest.
    const raw = await connect({ servers: NATS_URL });
    await jetstream(raw).publish(`${lanes.namespace}.changes.sunrise-care`, 'not a change');
    await raw.close();
    const later = ['9990000042', '9990000050', '9990000069', '9990000077'];
    for (const [k, nhs] of later.entries()) await own.publishChange(patient(`lane-later-${k}`, nhs));
    // The platform's repository, its transactions counted.
    let transactions = 0;
    const counted = Object.create(t.platform.repo, {
      transaction: { value: <T,>(fn: (tx: Repository) => Promise<T>): Promise<T> => (transactions++, t.platform.repo.transaction(fn)) },
    }) as Repository;
    const feed = feeds((await own.changes(counted, 4)).map((source) => new ChangeFeed(counted, source, digest.apply, pino({ level: 'silent' }))));
    const persons = async (nhs: string): Promise<unknown[]> => (await t.call('GET', `/fhir/Patient?identifier=${NHS}|${nhs}`)).json.entry ?? [];
    await eventually(async () => {
      await feed.drain();
      for (const nhs of later) expect(await persons(nhs)).toHaveLength(1);
    });
    expect(await persons('9990000034')).toHaveLength(0);
    const check = await connect({ servers: NATS_URL });
    await eventually(async () => expect((await (await jetstreamManager(check)).streams.info(`${lanes.namespace}-changes`)).state.messages).toBe(0));
    await check.close();
    // Idle lanes that know their position have nothing to apply: no transaction is opened to find that out.
    transactions = 0;
    await feed.drain();
    expect(transactions).toBe(0);
    await own.close();
  });

  it('relays a settlement only once the registration committed', async () => {
    const settlement = { tenant: 'sunrise-care', subjectOfCareId: 'rolled-back', upToVersion: 1 };
    await t.platform.repo
      .transaction(async (tx) => {
        await settleAtDpl(tx, [{ ...settlement, outcome: { status: 'registered', personId: 'nobody' } }]);
        throw new Error('the registration failed to commit');
      })
      .catch(() => undefined);
    await settleAtDpl(t.platform.repo, [{ ...settlement, subjectOfCareId: 'committed', outcome: { status: 'failed', reason: 'invalid-nhs-number', diagnostics: 'x' } }]);
    await relaySettlements(t.platform.repo, stream, pino({ level: 'silent' })).drain();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(`${namespace}-settlements`);
    const relayed = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) relayed.push(JSON.parse(new TextDecoder().decode((await jsm.streams.getMessage(`${namespace}-settlements`, { seq }))?.data)).subjectOfCareId);
    expect(relayed).toContain('committed');
    expect(relayed).not.toContain('rolled-back');
    expect(await t.platform.db.query('SELECT * FROM settlement_outbox')).toEqual([]);
    await nc.close();
  });

  it('says NATS is unavailable when it cannot store a message, and that a message too large is at fault', async () => {
    const closed = await ChangeStream.connect(NATS_URL, namespace, pino({ level: 'silent' }));
    await closed.close();
    const change = { tenant: 'sunrise-care', type: 'Patient', id: 'p', version: 1, deleted: false };
    await expect(closed.publishChange(change)).rejects.toBeInstanceOf(DestinationUnavailable);
    const tooLarge = stream.publishChange({ ...change, content: 'x'.repeat(2 * 1024 * 1024) });
    await expect(tooLarge).rejects.toThrow(/max_payload/);
    await expect(tooLarge).rejects.not.toBeInstanceOf(DestinationUnavailable);
  });

  it("relays each change with what the tenant holds about its Patient, each counted once", async () => {
    const entry = [
      { fullUrl: 'urn:uuid:6c1f1b8e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', name: [{ family: 'Relayed' }] }, request: { method: 'POST', url: 'Patient' } },
      ...[1, 2, 3].map((k) => ({ resource: { resourceType: 'Observation', status: 'final', code: { text: `Note ${k}` }, subject: { reference: 'urn:uuid:6c1f1b8e-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } })),
    ];
    const written = await t.call('POST', '/tenants/sunrise-care/fhir', { body: { resourceType: 'Bundle', type: 'transaction', entry } });
    expect(written.status).toBe(200);
    const patientId = /Patient\/([^/]+)/.exec(String(written.json.entry[0].response.location))?.[1] as string;
    // One batch: the Patient and its three Observations are about the same Patient.
    await new ChangeFeed(t.platform.repo, new OutboxSource(t.platform.repo, 0, 1, ['sunrise-care']), relayChanges(stream), pino({ level: 'silent' })).drain();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(`${namespace}-changes`);
    const relayed: { type: string; patients: Record<string, { type: string; count: number }[]> }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(`${namespace}-changes`, { seq }).catch(() => undefined);
      if (message) relayed.push(JSON.parse(new TextDecoder().decode(message.data)));
    }
    await nc.close();
    const about = relayed.filter((c) => c.patients[patientId]);
    expect(about.map((c) => c.type).sort()).toEqual(['Observation', 'Observation', 'Observation', 'Patient']);
    for (const change of about) expect(change.patients[patientId]).toEqual([expect.objectContaining({ type: 'Observation', count: 3 }), expect.objectContaining({ type: 'Patient', count: 1 })]);
  });
});
