// The audit log: every audited request's AuditEvent is appended to the hash-chained trail before the
// response leaves. Appends are group-committed — the events that arrive while one batch is being
// written go together in the next — so auditing costs a share of one transaction per request, and a
// request whose event could not be written fails (fail closed), never answering unaudited.
import type { Database, Queryable } from '../store/index.js';
import { appendAudit, auditChainHead, chainHash, scanAudit } from '../store/index.js';
import type { AuditRecord } from '../store/index.js';

/** Events written per transaction at most. */
const MAX_BATCH = 500;

interface Pending {
  record: AuditRecord;
  resolve(): void;
  reject(err: unknown): void;
}

export class AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  /** Resolves once the event is durably in the chain; rejects if it could not be written. */
  record(record: AuditRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await appendAudit(this.db, batch.map((p) => p.record));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = undefined;
  }

  /** Waits for every event handed over so far to be written (shutdown). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}

export interface VerifyResult {
  events: number;
  ok: boolean;
  /** The first problem found: where and what. */
  problem?: { seq: number; reason: string };
}

/**
 * Walks the whole chain: sequence numbers without gaps, each event's `prev_hash` its predecessor's
 * hash, each hash recomputed from what is stored, and the chain head at the last event. Any edit, any
 * deletion (also of the newest events) or any insertion is found.
 */
export async function verifyAuditChain(q: Queryable, onProgress?: (events: number) => void): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = '0'.repeat(64);
  let events = 0;
  for await (const page of scanAudit(q)) {
    for (const r of page) {
      if (r.seq !== expectedSeq) return { events, ok: false, problem: { seq: expectedSeq, reason: `event ${expectedSeq} is missing (next is ${r.seq})` } };
      if (r.prevHash !== prevHash) return { events, ok: false, problem: { seq: r.seq, reason: 'its predecessor hash does not match the previous event' } };
      if (chainHash(prevHash, r) !== r.hash) return { events, ok: false, problem: { seq: r.seq, reason: 'its content does not match its hash (altered)' } };
      prevHash = r.hash;
      expectedSeq++;
      events++;
    }
    onProgress?.(events);
  }
  const head = await auditChainHead(q);
  if (head.seq !== events || head.hash !== prevHash) {
    return { events, ok: false, problem: { seq: head.seq, reason: `the chain head says ${head.seq} events, the trail holds ${events}: events were removed from its end` } };
  }
  return { events, ok: true };
}
