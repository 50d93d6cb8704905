// Relays from a transactional outbox to JetStream (change-stream.ts), each run by a ChangeFeed.
// A DPL with its own store relays what its tenants write to the central platform, with what the central
// platform needs and cannot read for itself: whom each change is about, and what the tenant now holds
// about each of them (the record locator's facts). The content travels only where the central platform
// reads it: a Patient (to register it) and an EpisodeOfCare (an organisation's service, for the access
// policy's relationships); everything else stays in the DPL. The central platform relays how
// registrations ended back to the DPLs, from the settlements its digest queued.
import type { Logger } from 'pino';
import type { HeldKind, PendingSettlement, Repository } from '../store/index.js';
import type { ChangeHandler, ChangeSource, Feed } from './change-feed.js';
import { ChangeFeed, patientsReferenced } from './change-feed.js';
import type { ChangeStream } from './change-stream.js';

const CONTENT_READ_CENTRALLY = new Set(['Patient', 'EpisodeOfCare']);

export function relayChanges(stream: ChangeStream): ChangeHandler {
  // A batch is relayed in one transaction: what a tenant holds about a Patient is read once per batch,
  // however many of its changes are about them (a bulk load of one person's records).
  const summaries = new WeakMap<Repository, Map<string, Promise<HeldKind[]>>>();
  const held = (tx: Repository, tenant: string, patientId: string): Promise<HeldKind[]> => {
    const batch = summaries.get(tx) ?? new Map<string, Promise<HeldKind[]>>();
    summaries.set(tx, batch);
    const key = `${tenant}/${patientId}`;
    const summary = batch.get(key) ?? tx.compartmentSummary(tenant, patientId);
    batch.set(key, summary);
    return summary;
  };
  return async (tx, change) => {
    const { seq: _seq, content, ...rest } = change;
    const about = change.type === 'Patient' ? (change.deleted ? [] : [change.id]) : content ? [...patientsReferenced(JSON.parse(content))] : [];
    const patients = Object.fromEntries(await Promise.all(about.map(async (id) => [id, await held(tx, change.tenant, id)] as const)));
    await stream.publishChange({ ...rest, ...(content && CONTENT_READ_CENTRALLY.has(change.type) ? { content } : {}), patients });
  };
}

/** The central platform's queued settlements, relayed to the DPLs in order once the digest's transaction committed. */
export function relaySettlements(repo: Repository, stream: ChangeStream, log: Logger): Feed {
  const source: ChangeSource<PendingSettlement> = {
    take: (tx, limit) => tx.federation.takeSettlements(limit),
    // Taking them removed them from the outbox, in the transaction that published them.
    committed: async () => undefined,
    setAside: (settlement) => repo.federation.discardSettlement(settlement.seq),
  };
  const publish: ChangeHandler<PendingSettlement> = (_tx, { seq: _seq, ...settlement }) => stream.publishSettlement(settlement);
  return new ChangeFeed(repo, source, publish, log);
}
