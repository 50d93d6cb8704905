// The audit log: every audited request's AuditEvent is appended to the hash-chained trail. Appends are
// grouped — write-behind, each block waits until its oldest event is LINGER_MS old, so one statement
// carries the events of every request in that time — and each process extends a chain of its own, so
// an append is one statement; while the trail cannot be written every request fails closed, never
// answering unaudited. Write-behind, a request's event is made and linked into the chain just after its
// response is written (decision 0022), straight into the bytes of its block (decision 0028), so the
// answer does not wait for that work and what waits to be written costs the garbage collector next to
// nothing.
import type { ChainHead, Database, Queryable } from '../store/index.js';
import { appendBlock, AuditBlockBuilder, auditChains, blockKeys, blockRecords, chainHash, GENESIS_HASH, keyHashes, orphanedAuditChains, readBlockEvents, readChainHead, scanAuditBlocks, startAuditChain } from '../store/index.js';
import type { AuditBlock, AuditRecord, BlockEvent } from '../store/index.js';

/** Events written per statement at most. */
const MAX_BATCH = 500;
/** Events waiting to be written beyond which requests are refused rather than queued. */
const MAX_PENDING = 20_000;
/** Pause between attempts while the trail cannot be written. */
const RETRY_MS = 250;
/**
 * Write-behind writes a block once its first event has waited this long, so that one statement carries
 * the events of many requests rather than one each: each statement has a fixed cost in both processes
 * (a socket write, the head update, the commit), and at 10 ms the statements alone cost a read at c=1
 * 0.2 ms of its p95 (docs/performance.md, decision 0020).
 */
export const LINGER_MS = 50;

/**
 * `write-behind` (the default): a request's event is queued and written within milliseconds, after
 * the answer; while the trail cannot be written (or falls too far behind) every request fails
 * closed, and the queued events are retried until written, never dropped. `synchronous`: each request
 * waits for its own event to be written, so a database crash cannot lose an answered request's event,
 * at the price of a round trip per request (docs/security.md, decision 0015).
 */
export type AuditMode = 'write-behind' | 'synchronous';

export class AuditUnavailable extends Error {}

/** Synchronous mode: the request waiting for its event to be written. */
interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

interface Admitted {
  event: () => AuditRecord;
  waiter?: Waiter;
}

/** Events linked into one block, waiting to be written. */
interface PendingBlock {
  builder: AuditBlockBuilder;
  /** performance.now() when its first event was handed over: write-behind, it is written LINGER_MS later. */
  since: number;
  waiters: Waiter[];
  /** Being (or having been) written: it takes no more events, and a retry writes it as it is. */
  closed: boolean;
}

export class AuditLog {
  /** Events handed over, not yet made and linked (write-behind: their requests are being answered). */
  private admitted: Admitted[] = [];
  /** performance.now() when the oldest admitted event was handed over. */
  private admittedSince = 0;
  /** Linked events in blocks, oldest first; only the last may still take events. */
  private blocks: PendingBlock[] = [];
  /** Events in `blocks`. */
  private linked = 0;
  private flushing: Promise<void> | undefined;
  /** This process's chain as last written; undefined until the chain is started. */
  private written: ChainHead | undefined;
  /** Set while the last attempt to write failed. */
  private failure: unknown;
  private closing = false;

  constructor(
    private readonly db: Database,
    private readonly mode: AuditMode = 'write-behind',
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Hands a request's event over, as the function that makes it. Throws AuditUnavailable at once (the
   * request must fail closed) while the trail cannot be written or is too far behind. Write-behind,
   * returns nothing to wait for: the event is made, linked and queued once the current turn of the
   * event loop has written its responses (setImmediate), so no answer waits for that work — and is never
   * lost by a request going wrong after this. Synchronous, returns the promise of the event written.
   */
  record(event: () => AuditRecord): Promise<void> | undefined {
    const behind = this.linked + this.admitted.length;
    if (this.failure !== undefined) throw new AuditUnavailable('the audit trail cannot be written', { cause: this.failure });
    if (behind >= MAX_PENDING) throw new AuditUnavailable(`the audit trail is ${behind} events behind`);
    if (!this.admitted.length) this.admittedSince = performance.now();
    if (this.mode === 'synchronous') {
      return new Promise<void>((resolve, reject) => {
        this.admitted.push({ event, waiter: { resolve, reject } });
        this.linkAdmitted();
        this.flushing ??= this.flush();
      });
    }
    if (this.admitted.push({ event }) === 1) setImmediate(() => this.linkAdmitted());
    // Started once there is something to write: a loop started with nothing would end at once.
    this.flushing ??= this.flush();
    return undefined;
  }

  /** Makes the events admitted and links them into blocks — once the chain is started (until then they wait). */
  private linkAdmitted(): void {
    const tail = this.tail();
    if (!tail || !this.admitted.length) return;
    const admitted = this.admitted;
    this.admitted = [];
    let block = this.blocks[this.blocks.length - 1];
    for (const { event, waiter } of admitted) {
      try {
        const record = event();
        const open = block && !block.closed && block.builder.count < MAX_BATCH ? block : undefined;
        // A new block starts where the last one ends (the tail, while no block is waiting).
        const target: PendingBlock = open ?? { builder: new AuditBlockBuilder(block?.builder.head ?? tail), since: this.admittedSince, waiters: [], closed: false };
        target.builder.add(record);
        // A block is queued only once it holds an event: an empty one could never be written.
        if (!open) this.blocks.push((block = target));
        this.linked++;
        if (waiter) block.waiters.push(waiter);
      } catch (err) {
        // Only a fault of ours (the facts are plain data). Write-behind the request was answered, so say it loudly.
        const unmade = new AuditUnavailable('an audit event could not be made', { cause: err });
        if (waiter) waiter.reject(unmade);
        else this.onError(unmade);
      }
    }
  }

  private async flush(): Promise<void> {
    while (this.blocks.length || this.admitted.length) {
      // Every block lingers, not only the first: otherwise, under steady load, the events that arrive
      // while one block is written go out as the next at once, a statement for every one or two.
      if (this.mode === 'write-behind' && this.failure === undefined && this.linked + this.admitted.length < MAX_BATCH) {
        const wait = (this.blocks[0]?.since ?? this.admittedSince) + LINGER_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      try {
        if (!this.written) {
          // Only the one flush loop appends, so the chain is never started twice; a failed start is retried.
          this.written = await startAuditChain(this.db);
        }
        this.linkAdmitted();
        if (!this.blocks.length) continue;
        const front = this.blocks[0];
        front.closed = true;
        await this.append(front);
        this.blocks.shift();
        this.linked -= front.builder.count;
        this.failure = undefined;
        for (const w of front.waiters) w.resolve();
      } catch (err) {
        // Kept for the next attempt: an event is written or the process dies holding it, never dropped.
        if (this.failure === undefined) this.onError(err);
        this.failure = err;
        this.failWaiting(err);
        if (this.closing) break;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
    this.flushing = undefined;
  }

  /**
   * Synchronous mode: every request waiting for its event fails closed when an attempt to write fails —
   * also those whose events are not yet linked, as when the chain cannot be started. The events are
   * kept and written by a later attempt.
   */
  private failWaiting(err: unknown): void {
    for (const b of this.blocks) for (const w of b.waiters.splice(0)) w.reject(err);
    for (const a of this.admitted) {
      a.waiter?.reject(err);
      a.waiter = undefined;
    }
  }

  /** Resolves when every event handed over is written, or when an attempt to write has failed. */
  async settled(): Promise<void> {
    this.linkAdmitted();
    while (this.flushing && this.failure === undefined) await Promise.race([this.flushing, new Promise((r) => setTimeout(r, RETRY_MS))]);
  }

  /** Appends the front block from the head this process last wrote, which is where the block starts. */
  private async append(block: PendingBlock): Promise<void> {
    const head = block.builder.start;
    let moved = await appendBlock(this.db, block.builder);
    if (!moved) {
      // The head moved without us: an append whose success we never heard of. If it is where this
      // block leaves the chain, that append was this block; otherwise continue from where it is.
      const actual = await readChainHead(this.db, head.chain);
      const last = block.builder.head;
      if (actual.seq === last.seq && actual.hash === last.hash) moved = last;
      else {
        this.relink(actual);
        moved = await appendBlock(this.db, block.builder);
      }
    }
    if (!moved) throw new Error(`audit chain ${head.chain} is being written by someone else`);
    this.written = moved;
  }

  /** The chain's head after the last event linked: undefined until the chain is started. */
  private tail(): ChainHead | undefined {
    return this.blocks.length ? this.blocks[this.blocks.length - 1].builder.head : this.written;
  }

  /** Links every waiting block's events into the chain afresh from `head`, block by block (rare: read back from their text). */
  private relink(head: ChainHead): void {
    let at = head;
    for (const block of this.blocks) {
      const builder = new AuditBlockBuilder(at);
      for (const r of blockRecords(block.builder.text())) builder.add(r);
      block.builder = builder;
      at = builder.head;
    }
  }

  /** Shutdown: waits for the queue to be written, giving up (with the events logged as lost) if the trail stays unwritable. */
  async drain(): Promise<void> {
    this.closing = true;
    await this.settled();
    await this.flushing;
    const lost = this.linked + this.admitted.length;
    if (lost) this.onError(new AuditUnavailable(`${lost} audit events could not be written before shutdown`));
  }
}

export interface VerifyResult {
  chains: number;
  events: number;
  ok: boolean;
  /** The first problem found: where and what. */
  problem?: { chain: string; seq: number; reason: string };
}

/**
 * Walks every chain: sequence numbers without gaps, each hash recomputed from what is stored and the
 * predecessor's hash (where an event also stores its predecessor's hash, that is compared too), each
 * chain's head at its last event, and no events outside a known chain. Any edit, any deletion (also of
 * the newest events) or insertion is found — and so is a block whose bounds or search keys no longer
 * match its events (a search would miss them).
 */
export async function verifyAuditChain(q: Queryable, onProgress?: (events: number) => void): Promise<VerifyResult> {
  const chains = await auditChains(q);
  let events = 0;
  const fail = (chain: string, seq: number, reason: string): VerifyResult => ({ chains: chains.length, events, ok: false, problem: { chain, seq, reason } });
  for (const head of chains) {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for await (const page of scanAuditBlocks(q, head.chain)) {
      for (const block of page) {
        const stored = readBlock(block);
        if (typeof stored === 'string') return fail(head.chain, block.firstSeq, stored);
        for (const r of stored) {
          if (r.seq !== expectedSeq) return fail(head.chain, expectedSeq, `event ${expectedSeq} is missing (next is ${r.seq})`);
          if (r.prevHash !== undefined && r.prevHash !== prevHash) return fail(head.chain, r.seq, 'its predecessor hash does not match the previous event');
          if (chainHash(prevHash, head.chain, r.hashed) !== r.hash) return fail(head.chain, r.seq, 'its content does not match its hash (altered)');
          prevHash = r.hash;
          expectedSeq++;
          events++;
        }
      }
      onProgress?.(events);
    }
    if (head.seq !== expectedSeq - 1 || head.hash !== prevHash) {
      return fail(head.chain, head.seq, `the chain head says ${head.seq} events, the trail holds ${expectedSeq - 1}: events were removed from its end`);
    }
  }
  const [orphan] = await orphanedAuditChains(q);
  if (orphan) return fail(orphan, 0, 'events of a chain whose head is gone');
  return { chains: chains.length, events, ok: true };
}

/** A block's events, or what is wrong with the block itself. */
function readBlock(block: AuditBlock): BlockEvent[] | string {
  let stored: BlockEvent[];
  try {
    stored = readBlockEvents(block.events);
  } catch {
    return 'its block cannot be read (altered)';
  }
  if (!stored.length || stored[0].seq !== block.firstSeq || stored[stored.length - 1].seq !== block.lastSeq) {
    return `its block's bounds (${block.firstSeq}-${block.lastSeq}) do not match the events it holds (altered)`;
  }
  const keys = [...block.keyHashes].sort();
  const expected = keyHashes(blockKeys(stored));
  if (keys.length !== expected.length || keys.some((k, i) => k !== expected[i])) {
    return "its block's search keys do not match its events (altered: searches would not find them as they are)";
  }
  return stored;
}
