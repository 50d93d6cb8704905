// The change feed's failure handling on a real store: a change that keeps failing is set aside (and
// logged) after three attempts, while the changes batched with it are still applied, once; while the
// destination a handler sends changes to is unavailable, nothing is set aside and nothing is lost. Under a
// trickle of writes, a feed lets changes gather into batches rather than taking them one by one; idle,
// an outbox lane looks seldom unless this process has just written.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChangeDigest, ChangeFeed, DestinationUnavailable, OutboxSource, RecordLocator, settleHere, WriteSignal } from '../src/federation/index.js';
import type { ChangeSource, FeedItem } from '../src/federation/change-feed.js';
import { DEFAULT_MODEL, PersonIndex } from '../src/identity/index.js';
import type { Feed, FederationSettings, LocatedRecord } from '../src/federation/index.js';
import type { Repository } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';
import { PUBLIC_URL, suitePlatform } from './support/platform.js';

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';

/** Lets a feed's background loop run for `ms`. */
async function runFor(feed: Feed, ms: number): Promise<void> {
  feed.start();
  await new Promise((r) => setTimeout(r, ms));
  await feed.stop();
}

/** The real locator, except that refreshing one Patient always fails (as a corrupt record would). */
class LocatorFailingFor extends RecordLocator {
  constructor(private readonly poisoned: () => string, ...args: ConstructorParameters<typeof RecordLocator>) {
    super(...args);
  }
  override async refresh(repo: Repository, records: readonly LocatedRecord[]): Promise<void> {
    const poisoned = records.find((r) => r.patientId === this.poisoned());
    if (poisoned) throw new Error(`cannot index Patient/${poisoned.patientId}`);
    return super.refresh(repo, records);
  }
}

describe.each(await testDatabases())('change feed failures on $name', (database) => {
  const t = suitePlatform(database);
  beforeAll(async () => {
    // This test drives its own feed lane; the platform's lanes stay out of the way.
    await t.platform.federation.feed.stop();
  });

  it('sets a failing change aside after three attempts and applies the others', async () => {
    const settings: FederationSettings = { centralTenant: 'platform', tenantBase: (tenant) => `${PUBLIC_URL}/tenants/${tenant}/fhir` };
    const logged: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => void (logged.push(chunk.toString()), done()) }));
    let poisoned = '';
    const locator = new LocatorFailingFor(() => poisoned, t.platform.defs, settings);
    const digest = new ChangeDigest(new PersonIndex({ ...settings, model: DEFAULT_MODEL }), locator, settings, settleHere);
    const feed = new ChangeFeed(t.platform.repo, new OutboxSource(t.platform.repo), digest.apply, log);

    const create = async (nhs: string): Promise<string> =>
      (await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', identifier: [{ system: NHS, value: nhs }], name: [{ family: 'Feed' }] } })).json.id as string;
    await create('9990000018');
    poisoned = await create('9990000026');
    await feed.drain();

    const person = async (nhs: string): Promise<unknown[]> => (await t.call('GET', `/fhir/Patient?identifier=${NHS}|${nhs}`)).json.entry ?? [];
    expect(await person('9990000018')).toHaveLength(1);
    // The poisoned change rolled back each time: no half-registered person is left behind.
    expect(await person('9990000026')).toHaveLength(0);
    const remaining = await t.platform.db.query<{ n: string | number }>('SELECT count(*) AS n FROM change_outbox');
    expect(Number(remaining[0].n)).toBe(0);
    const messages = logged.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m === 'change feed: change failed')).toHaveLength(3);
    expect(messages).toContain('change feed: change set aside after repeated failures');
  });

  it('keeps every change while the destination is unavailable, and hands each over once it is back', async () => {
    const logged: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => void (logged.push(chunk.toString()), done()) }));
    let available = false;
    const delivered: string[] = [];
    const feed = new ChangeFeed(t.platform.repo, new OutboxSource(t.platform.repo), async (_tx, changes) => {
      if (!available) throw new DestinationUnavailable('NATS is down');
      delivered.push(...changes.map((c) => c.id));
    }, log);
    const ids: string[] = [];
    for (const family of ['Down', 'Still']) ids.push((await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', name: [{ family }] } })).json.id as string);
    for (let attempt = 0; attempt < 5; attempt++) await expect(feed.drain()).rejects.toBeInstanceOf(DestinationUnavailable);
    const waiting = await t.platform.db.query<{ id: string }>('SELECT id FROM change_outbox ORDER BY seq');
    expect(waiting.map((r) => r.id)).toEqual(ids);
    available = true;
    await feed.drain();
    expect(delivered).toEqual(ids);
    expect(logged.map((l) => (JSON.parse(l) as { msg: string }).msg)).not.toContain('change feed: change set aside after repeated failures');
  });

  it('after a batch that was not full, waits for more changes to gather before taking again', async () => {
    // A source that always has exactly one change ready, as under a steady trickle of writes.
    const takes: number[] = [];
    const source: ChangeSource<FeedItem> = {
      take: async () => [{ seq: String(takes.push(Date.now())) }],
      committed: async () => undefined,
      setAside: async () => undefined,
    };
    await runFor(new ChangeFeed(t.platform.repo, source, async () => undefined, pino({ level: 'silent' })), 500);
    // Taking again at once, the feed took one change at a time: hundreds of batches in half a second.
    expect(takes.length).toBeGreaterThanOrEqual(2);
    expect(takes.length).toBeLessThanOrEqual(8);
  });

  it('idle, looks at the outbox once a second, and at every poll while this process writes', async () => {
    class CountedOutbox extends OutboxSource {
      looks = 0;
      override take(tx: Repository, limit: number) {
        this.looks++;
        return super.take(tx, limit);
      }
    }
    const writes = new WriteSignal();
    // A tenant nobody writes to: the lane finds nothing, whatever other tests do.
    const source = new CountedOutbox(t.platform.repo, 0, 1, ['nobody-writes-here'], writes);
    const feed = new ChangeFeed(t.platform.repo, source, async () => undefined, pino({ level: 'silent' }));
    await runFor(feed, 1500);
    // Polling every 100 ms, it would have looked about fifteen times.
    expect(source.looks).toBeGreaterThanOrEqual(1);
    expect(source.looks).toBeLessThanOrEqual(3);
    source.looks = 0;
    writes.noteWrite();
    await runFor(feed, 800);
    expect(source.looks).toBeGreaterThanOrEqual(5);
  });
});
