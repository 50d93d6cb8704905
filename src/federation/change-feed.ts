// The change feed: every version a tenant writes is handled once, after it committed, in order per
// resource. Changes come from a source — the outbox table of this database, or the JetStream stream DPLs
// with their own store publish to (change-stream.ts) — and go to a handler: the central platform's digest
// (digest.ts), or a DPL's relay that publishes them (change-relay.ts). Changes are handled in batches,
// each batch by one call of the handler, in one transaction with its taking from the source; a batch
// that fails is retried one change at a time, so the change that fails is found and, after a few
// attempts, set aside — unless what failed is where the handler sends it (DestinationUnavailable):
// then nothing is set aside, the batch is put back and retried until the destination answers. The same loop relays the settlements the central
// platform queues for DPLs (change-relay.ts): any item with a sequence number can travel this way.
import type { Logger } from 'pino';
import type { Change, Repository } from '../store/index.js';

/** A change that fails this often is set aside (logged), so one bad record cannot stop the feed. */
const MAX_ATTEMPTS = 3;
const IDLE_POLL_MS = 100;
/** Changes handled per transaction. */
const BATCH_SIZE = 100;
/**
 * After a batch that was not full, a feed waits this long for more to gather: a batch costs about the
 * same few statements whatever its size, so under a trickle of writes (one registration per request)
 * lanes taking one or two changes each paid those statements per change. 300 ms rather than 100: one
 * registration per request at c=8 completed 321-346/s against 250-296/s (docs/performance.md); a lone
 * change still waits only for the idle poll.
 */
const GATHER_MS = 300;

/** What a step found: nothing, fewer changes than a batch holds, or work to go on with at once. */
type StepResult = 'idle' | 'partial' | 'more';

/** What a feed carries: changes, or anything else taken in order from a source. */
export interface FeedItem {
  seq: string;
}

/** Where a feed's changes come from. */
export interface ChangeSource<T extends FeedItem = Change> {
  /** The next changes (at most `limit`, in order), taken inside the batch's transaction. */
  take(tx: Repository, limit: number): Promise<T[]>;
  /** The transaction that took and handled these changes committed. */
  committed(changes: readonly T[]): Promise<void>;
  /** Gives up on a change that keeps failing (already logged). */
  setAside(change: T): Promise<void>;
  /** True when nothing can be waiting, known without the database: the feed then opens no transaction. */
  holdsNothing?(): boolean;
  /**
   * The background loop's hint: false when looking now would most likely find nothing (the loop then
   * waits for its next poll). drain() looks regardless.
   */
  worthLooking?(): boolean;
}

/** Handles a batch of changes, in order, inside the batch's transaction. */
export type ChangeHandler<T extends FeedItem = Change> = (tx: Repository, changes: readonly T[]) => Promise<void>;

/**
 * Thrown by a handler when what it sends the change to (NATS JetStream) did not take it: the change is
 * not at fault, so it is never set aside; the batch waits and is tried again.
 */
export class DestinationUnavailable extends Error {}

/** While the source, the database or the destination is unavailable, a feed tries again this often. */
const RETRY_MS = 1000;

/**
 * While this process's writes come (and a while after, as they may still be committing), its outbox
 * lanes look every poll; otherwise once a second, for what other processes sharing the database wrote.
 */
const RECENT_WRITES_MS = 2000;
const QUIET_LOOK_MS = 1000;

/** Told of each write this process makes that the outbox carries (before it commits): when it is worth looking. */
export class WriteSignal {
  private last = -Infinity;

  noteWrite(): void {
    this.last = performance.now();
  }

  /** A write was noted within the last `ms`. */
  within(ms: number): boolean {
    return performance.now() - this.last < ms;
  }
}

/** The outbox of this database: what its tenants wrote (one lane of it; of some tenants only, for a DPL). */
export class OutboxSource implements ChangeSource {
  private lastLook = -Infinity;
  private foundLastTime = false;

  /** `signal`: without one, every poll looks (an idle platform then pays a transaction per lane and poll). */
  constructor(
    private readonly repo: Repository,
    private readonly lane = 0,
    private readonly lanes = 1,
    private readonly tenants?: readonly string[],
    private readonly signal?: WriteSignal,
  ) {}

  worthLooking(): boolean {
    if (!this.signal || this.foundLastTime || this.signal.within(RECENT_WRITES_MS)) return true;
    return performance.now() - this.lastLook >= QUIET_LOOK_MS;
  }

  async take(tx: Repository, limit: number): Promise<Change[]> {
    this.lastLook = performance.now();
    const changes = await tx.federation.takeChanges(limit, this.lane, this.lanes, this.tenants);
    // Kept true if the batch then fails (its changes go back): they are to be looked for again at once.
    this.foundLastTime = changes.length > 0;
    return changes;
  }

  async committed(): Promise<void> {
    // Taking them removed them from the outbox, in the same transaction.
  }

  setAside(change: Change): Promise<void> {
    return this.repo.federation.discardChange(change.seq);
  }
}

/** The parts that run in the background and are started, stopped and drained together. */
export interface Feed {
  start(): void;
  stop(): Promise<void>;
  /** Handles what is waiting, until nothing is (tests, benchmarks, shutdown). */
  drain(): Promise<void>;
}

export class ChangeFeed<T extends FeedItem = Change> implements Feed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly failures = new Map<string, number>();
  /** Steps run one at a time (the timer loop and drain() share it), so changes apply in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** How many more steps take one change at a time, after a batch failed. */
  private isolating = 0;

  constructor(
    private readonly repo: Repository,
    private readonly source: ChangeSource<T>,
    private readonly handle: ChangeHandler<T>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  async drain(): Promise<void> {
    while ((await this.step()) !== 'idle') {
      // keep going
    }
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runBatch().finally(() => (this.running = undefined));
    }, delay);
  }

  private async runBatch(): Promise<void> {
    let found: StepResult = 'idle';
    if (this.source.worthLooking?.() === false) return this.schedule(IDLE_POLL_MS);
    try {
      for (let i = 0; i < 200 && !this.stopped; i++) {
        found = await this.step();
        if (found !== 'more') break;
      }
    } catch (err) {
      this.log.error({ err }, 'change feed: source, database or destination unavailable, retrying');
      return this.schedule(RETRY_MS);
    }
    this.schedule(found === 'idle' ? IDLE_POLL_MS : found === 'partial' ? GATHER_MS : 0);
  }

  private step(): Promise<StepResult> {
    const next = this.queue.then(() => this.stepAlone());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One batch in one transaction. */
  private async stepAlone(): Promise<StepResult> {
    if (this.source.holdsNothing?.()) return 'idle';
    let taken: T[] = [];
    const size = this.isolating > 0 ? 1 : BATCH_SIZE;
    try {
      const worked = await this.repo.transaction(async (tx) => {
        taken = await this.source.take(tx, size);
        if (taken.length) await this.handle(tx, taken);
        return taken.length > 0;
      });
      if (worked) await this.source.committed(taken);
      if (this.isolating > 0) {
        this.isolating--;
        return 'more';
      }
      return !worked ? 'idle' : taken.length < size ? 'partial' : 'more';
    } catch (err) {
      if (taken.length === 0 || err instanceof DestinationUnavailable) throw err;
      if (taken.length > 1) {
        this.isolating = taken.length;
        return 'more';
      }
      const [change] = taken;
      const attempts = (this.failures.get(change.seq) ?? 0) + 1;
      this.failures.set(change.seq, attempts);
      this.log.warn({ err, change: { ...change, content: undefined }, attempts }, 'change feed: change failed');
      if (attempts >= MAX_ATTEMPTS) {
        this.log.error({ change: { ...change, content: undefined } }, 'change feed: change set aside after repeated failures');
        await this.source.setAside(change);
        this.failures.delete(change.seq);
        this.isolating = Math.max(0, this.isolating - 1);
      }
      return 'more';
    }
  }
}

/** Several feeds as one. */
export function feeds(parts: readonly Feed[]): Feed {
  return {
    start: () => parts.forEach((p) => p.start()),
    stop: async () => void (await Promise.all(parts.map((p) => p.stop()))),
    drain: async () => void (await Promise.all(parts.map((p) => p.drain()))),
  };
}

/** Ids of the Patients a resource refers to by relative reference (`Patient/{id}`). */
export function patientsReferenced(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) patientsReferenced(v, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') {
        const m = /^Patient\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(v);
        if (m) found.add(m[1]);
      } else patientsReferenced(v, found);
    }
  }
  return found;
}
