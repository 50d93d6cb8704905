// NATS JetStream carries the change feed between processes that do not share a database (a DPL with its
// own store): each DPL publishes its tenants' changes to one stream, which the central platform digests
// with a durable consumer; the central platform publishes how registrations ended to a second stream,
// from which each DPL settles its pending registration requests. Publishing is acknowledged by
// JetStream before the DPL's outbox rows go (at least once), a change's id and version name its message
// (JetStream drops a repeat within its duplicate window), and the central platform records how far it
// has applied the stream in the transaction that applies it, so a redelivery is not applied twice.
import { hash as digest } from 'node:crypto';
import type { JsMsg, JetStreamClient, JetStreamManager, ConsumerMessages, ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import type * as JetStreamModule from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Change, Repository, Settlement } from '../store/index.js';
import { DestinationUnavailable } from './change-feed.js';
import type { ChangeSource, Feed } from './change-feed.js';

/** A change as it travels: its position is the stream's, not the outbox's. */
export type StreamedChange = Omit<Change, 'seq'>;

type JetStreamApi = typeof JetStreamModule;

/** A message not acknowledged this long is delivered again (a consumer that died mid-batch). */
const ACK_WAIT_NANOS = 5 * 60 * 1e9;
/** Messages delivered and not yet acknowledged, per consumer: the buffer a digesting process holds. */
const MAX_ACK_PENDING = 1000;

export class ChangeStream {
  private constructor(
    private readonly api: JetStreamApi,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly namespace: string,
    private readonly log: Logger,
  ) {}

  /** Connects, and creates the two streams unless they exist. `namespace`: as config.ts checks it. */
  static async connect(url: string, namespace: string, log: Logger): Promise<ChangeStream> {
    // Loaded only by the processes that use NATS (the all-in-one platform never does): they cost memory.
    const [{ connect }, api] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    const nc = await connect({ servers: url, name: `openscip-${namespace}`, maxReconnectAttempts: -1 });
    try {
      const jsm = await api.jetstreamManager(nc);
      const stream = new ChangeStream(api, nc, api.jetstream(nc), jsm, namespace, log);
      await stream.ensureStream('changes');
      await stream.ensureStream('settlements');
      return stream;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private streamName(kind: 'changes' | 'settlements'): string {
    return `${this.namespace}-${kind}`;
  }

  /** A tenant's subject, or every tenant's with `*`. */
  private subject(kind: 'changes' | 'settlements', tenant: string): string {
    return `${this.namespace}.${kind}.${tenant}`;
  }

  private async ensureStream(kind: 'changes' | 'settlements'): Promise<void> {
    // Work-queue retention: a message goes once its one consumer has acknowledged it.
    const config: Partial<StreamConfig> & { name: string } = { name: this.streamName(kind), subjects: [this.subject(kind, '*')], retention: this.api.RetentionPolicy.Workqueue, storage: this.api.StorageType.File };
    try {
      await this.jsm.streams.add(config);
    } catch (err) {
      // Another process created it first (with the same subjects), or it is there from a previous start.
      await this.jsm.streams.info(config.name).catch(() => Promise.reject(err));
    }
  }

  private async consumer(kind: 'changes' | 'settlements', durable: string, filter: string): Promise<ConsumerMessages> {
    const stream = this.streamName(kind);
    const config: Partial<ConsumerConfig> = { durable_name: durable, ack_policy: this.api.AckPolicy.Explicit, deliver_policy: this.api.DeliverPolicy.All, filter_subject: filter, ack_wait: ACK_WAIT_NANOS, max_ack_pending: MAX_ACK_PENDING };
    try {
      await this.jsm.consumers.add(stream, config);
    } catch (err) {
      await this.jsm.consumers.info(stream, durable).catch(() => Promise.reject(err));
    }
    return (await this.js.consumers.get(stream, durable)).consume({ max_messages: 200 });
  }

  publishChange(change: StreamedChange): Promise<void> {
    return this.publish(this.subject('changes', change.tenant), JSON.stringify(change), `${change.tenant}/${change.type}/${change.id}/${change.version}`);
  }

  publishSettlement(settlement: Settlement): Promise<void> {
    return this.publish(this.subject('settlements', settlement.tenant), JSON.stringify(settlement), `${settlement.tenant}/${settlement.subjectOfCareId}/${settlement.upToVersion}`);
  }

  /**
   * Resolves once JetStream has stored the message. A message larger than the server takes is at fault
   * itself (an Error); any other failure is NATS's (DestinationUnavailable: try again later).
   */
  private async publish(subject: string, data: string, msgID: string): Promise<void> {
    const limit = this.nc.info?.max_payload;
    const size = Buffer.byteLength(data);
    if (limit !== undefined && size > limit) throw new Error(`${msgID} is ${size} bytes as a message; the NATS server takes at most ${limit} (max_payload)`);
    try {
      await this.js.publish(subject, data, { msgID });
    } catch (err) {
      throw new DestinationUnavailable(`NATS JetStream did not store ${msgID}`, { cause: err });
    }
  }

  /**
   * The central platform's sources of the changes every DPL with its own store publishes: one durable
   * consumer, its messages dealt to `lanes` sources (a change to one record always to the same lane), so
   * that as many transactions digest them at once as digest the outbox.
   */
  async changes(repo: Repository, lanes: number): Promise<ChangeSource[]> {
    const name = this.streamName('changes');
    // A stream made anew starts counting again: the position is of this stream, made at this time.
    const { created } = await this.jsm.streams.info(name);
    const messages = await this.consumer('changes', `${this.namespace}-central`, this.subject('changes', '*'));
    const sources = Array.from({ length: lanes }, (_, lane) => new StreamSource(repo, `${name}@${created}`, lane));
    (async () => {
      for await (const m of messages) {
        let change: StreamedChange;
        try {
          change = m.json<StreamedChange>();
        } catch (err) {
          // Not JSON: it can never be applied. Set aside (logged, acknowledged) as a change failing three times is.
          this.log.error({ err, seq: m.seq }, 'change stream: a message that is not a change is set aside');
          m.ack();
          continue;
        }
        sources[laneOf(change, lanes)].receive(m, change);
      }
    })().catch((err: unknown) => this.log.error({ err }, 'change stream: receiving stopped'));
    return sources;
  }

  /** A DPL's listener for how its tenant's registrations ended. */
  settlements(tenant: string, settle: (s: Settlement) => Promise<void>): Feed {
    let messages: ConsumerMessages | undefined;
    let listening: Promise<void> | undefined;
    const listen = async (): Promise<void> => {
      messages = await this.consumer('settlements', `${this.namespace}-dpl-${tenant}`, this.subject('settlements', tenant));
      for await (const m of messages) {
        try {
          await settle(m.json<Settlement>());
          m.ack();
        } catch (err) {
          this.log.warn({ err, tenant }, 'registration settlement failed; it will be delivered again');
          m.nak(1000);
        }
      }
    };
    return {
      start: () => {
        listening = listen().catch((err: unknown) => this.log.error({ err, tenant }, 'registration settlements: listening stopped'));
      },
      stop: async () => {
        await messages?.close();
        await listening;
      },
      drain: async () => undefined,
    };
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }

  /** Deletes every stream of a namespace (with its consumers and messages): a platform taken down. */
  static async deleteNamespace(url: string, namespace: string): Promise<void> {
    const [{ connect }, api] = await Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
    const nc = await connect({ servers: url });
    try {
      const jsm = await api.jetstreamManager(nc);
      for await (const name of jsm.streams.names()) if (name.startsWith(`${namespace}-`)) await jsm.streams.delete(name);
    } finally {
      await nc.close();
    }
  }
}

/** Which lane a change travels in: the same for every version of a record, so they apply in order. */
function laneOf(change: StreamedChange, lanes: number): number {
  return digest('md5', `${change.tenant}/${change.type}/${change.id}`, 'buffer').readUInt32BE(0) % lanes;
}

interface Received {
  message: JsMsg;
  change: StreamedChange;
}

/**
 * One lane of the central platform's durable consumer: its messages, buffered as they arrive, handed out
 * in stream order and acknowledged once the transaction that applied them committed. Each lane records
 * how far it has applied the stream (the last position it applied: every earlier message of its records
 * was applied or set aside), so a redelivery of an applied message is recognised after a crash.
 */
class StreamSource implements ChangeSource {
  private readonly buffer: Received[] = [];
  private position: number | undefined;
  private readonly name: string;

  /** `stream`: the stream as the single digest of earlier versions named its position, which every lane starts from. */
  constructor(
    private readonly repo: Repository,
    private readonly stream: string,
    lane: number,
  ) {
    this.name = `${stream}#${lane}`;
  }

  receive(message: JsMsg, change: StreamedChange): void {
    // A redelivery (acknowledgement wait passed) of one still buffered is the same message.
    if (this.buffer.some((b) => b.message.seq === message.seq)) return;
    const at = this.buffer.findIndex((b) => b.message.seq > message.seq);
    this.buffer.splice(at < 0 ? this.buffer.length : at, 0, { message, change });
  }

  /** Messages are held here once received: an empty lane whose position is known has nothing to apply. */
  holdsNothing(): boolean {
    return this.buffer.length === 0 && this.position !== undefined;
  }

  async take(tx: Repository, limit: number): Promise<Change[]> {
    this.position ??= Math.max(await tx.federation.feedPosition(this.name), await tx.federation.feedPosition(this.stream));
    const position = this.position;
    // Applied before a crash that came between the commit and the acknowledgement.
    while (this.buffer.length && this.buffer[0].message.seq <= position) (this.buffer.shift() as Received).message.ack();
    const batch = this.buffer.slice(0, limit);
    if (!batch.length) return [];
    await tx.federation.setFeedPosition(this.name, (batch.at(-1) as Received).message.seq);
    return batch.map((b) => ({ ...b.change, seq: String(b.message.seq) }));
  }

  async committed(changes: readonly Change[]): Promise<void> {
    const seqs = new Set(changes.map((c) => Number(c.seq)));
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      if (!seqs.has(this.buffer[i].message.seq)) continue;
      this.buffer[i].message.ack();
      this.buffer.splice(i, 1);
    }
    this.position = Math.max(this.position ?? 0, ...seqs);
  }

  async setAside(change: Change): Promise<void> {
    await this.repo.federation.setFeedPosition(this.name, Number(change.seq));
    await this.committed([change]);
  }
}
