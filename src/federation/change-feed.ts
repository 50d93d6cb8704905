// Digests the change outbox: every version a tenant writes reaches the central platform once, after it
// committed. A Patient version registers (or unregisters) the subject of care in the person index and
// settles pending registrations; an EpisodeOfCare records (or ends) an organisation's active service;
// any version about a registered Patient refreshes the locator. Changes
// are applied in batches, each batch in one transaction with its removal from the outbox; the versions
// of one resource always in order, in one lane, while lanes run in parallel.
import type { EpisodeOfCare, Patient } from '@medplum/fhirtypes';
import { careServiceOf } from '../access/index.js';
import type { Logger } from 'pino';
import type { Change, Repository } from '../store/index.js';
import type { RecordLocator } from './locator.js';
import type { PersonIndex } from '../identity/index.js';
import type { FederationSettings } from './settings.js';

/** A change that fails this often is set aside (logged), so one bad record cannot stop the feed. */
const MAX_ATTEMPTS = 3;
const IDLE_POLL_MS = 100;
/** Changes applied per transaction. */
const BATCH_SIZE = 50;

export class ChangeFeed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly failures = new Map<string, number>();
  /** Steps run one at a time (the timer loop and drain() share it), so changes apply in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** How many more steps take one change at a time, after a batch failed. */
  private isolating = 0;

  /** One lane of the feed: `lane` of `lanes` (createFederation runs several in parallel). */
  constructor(
    private readonly repo: Repository,
    private readonly index: PersonIndex,
    private readonly locator: RecordLocator,
    private readonly settings: FederationSettings,
    private readonly log: Logger,
    private readonly lane = 0,
    private readonly lanes = 1,
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

  /** Processes until the outbox is empty (tests, benchmarks, and shutdown). */
  async drain(): Promise<void> {
    while (await this.step()) {
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
    let worked = false;
    try {
      for (let i = 0; i < 200 && !this.stopped && (await this.step()); i++) worked = true;
    } catch (err) {
      this.log.error({ err }, 'change feed: database unavailable, retrying');
    }
    this.schedule(worked ? 0 : IDLE_POLL_MS);
  }

  private step(): Promise<boolean> {
    const next = this.queue.then(() => this.stepAlone());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * A batch of changes in one transaction (one commit for many changes). False when there was nothing
   * to do. When a batch fails, the changes are retried one per transaction, so the one that fails is
   * found, counted and, after MAX_ATTEMPTS, set aside.
   */
  private async stepAlone(): Promise<boolean> {
    let taken: Change[] = [];
    const size = this.isolating > 0 ? 1 : BATCH_SIZE;
    try {
      return await this.repo.transaction(async (tx) => {
        taken = await tx.federation.takeChanges(size, this.lane, this.lanes);
        for (const change of taken) await this.apply(tx, change);
        if (this.isolating > 0) this.isolating--;
        return taken.length > 0;
      });
    } catch (err) {
      if (taken.length === 0) throw err;
      if (taken.length > 1) {
        this.isolating = taken.length;
        return true;
      }
      const [change] = taken;
      const attempts = (this.failures.get(change.seq) ?? 0) + 1;
      this.failures.set(change.seq, attempts);
      this.log.warn({ err, change, attempts }, 'change feed: change failed');
      if (attempts >= MAX_ATTEMPTS) {
        this.log.error({ change }, 'change feed: change set aside after repeated failures');
        await this.repo.federation.discardChange(change.seq);
        this.failures.delete(change.seq);
        this.isolating = Math.max(0, this.isolating - 1);
      }
      return true;
    }
  }

  private async apply(tx: Repository, change: Change): Promise<void> {
    if (change.tenant === this.settings.centralTenant) return;
    if (change.type === 'Patient') return this.applyPatient(tx, change);
    if (change.type === 'EpisodeOfCare') await tx.access.recordService(change.tenant, change.id, change.deleted || !change.content ? undefined : careServiceOf(JSON.parse(change.content) as EpisodeOfCare));
    // The version's references say whom it is about; a deletion is about whom the previous version was.
    for (const patientId of change.content ? patientsReferenced(JSON.parse(change.content)) : []) {
      const link = await tx.identity.personLink({ tenant: change.tenant, patientId });
      if (link) await this.locator.refresh(tx, change.tenant, patientId, link.personId);
    }
  }

  private async applyPatient(tx: Repository, change: Change): Promise<void> {
    if (change.deleted) {
      await this.index.unregister(tx, change.tenant, change.id);
      await this.locator.remove(tx, change.tenant, change.id);
      return;
    }
    if (!change.content) return;
    const outcome = await this.index.register(tx, change.tenant, JSON.parse(change.content) as Patient);
    if (outcome.status === 'registered') await this.locator.refresh(tx, change.tenant, change.id, outcome.personId);
    else await this.locator.remove(tx, change.tenant, change.id);
    await tx.federation.settleRegistrations(change.tenant, change.id, change.version, outcome);
  }
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
