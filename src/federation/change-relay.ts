// Relays from a transactional outbox to JetStream (change-stream.ts), each run by a ChangeFeed.
// A DPL with its own store relays what its tenants write to the central platform, with what the central
// platform needs and cannot read for itself: whom each change is about, and what the tenant now holds
// about each of them (the record locator's facts). The content travels only where the central platform
// reads it: a Patient (to register it) and an EpisodeOfCare (an organisation's service, for the access
// policy's relationships); everything else stays in the DPL. The central platform relays how
// registrations ended back to the DPLs, from the settlements its digest queued.
import type { Logger } from 'pino';
import type { PendingSettlement, Repository } from '../store/index.js';
import type { ChangeHandler, ChangeSource, Feed } from './change-feed.js';
import { ChangeFeed, patientsReferenced } from './change-feed.js';
import type { ChangeStream } from './change-stream.js';

const CONTENT_READ_CENTRALLY = new Set(['Patient', 'EpisodeOfCare']);

export function relayChanges(stream: ChangeStream): ChangeHandler {
  return async (tx, changes) => {
    // What a tenant holds about a Patient is read once per batch, however many of its changes are about
    // them (a bulk load of one person's records), in one statement for all of them.
    const about = changes.map(({ tenant, type, id, deleted, content }) => ({
      tenant,
      ids: type === 'Patient' ? (deleted ? [] : [id]) : content ? [...patientsReferenced(JSON.parse(content))] : [],
    }));
    const held = await tx.compartmentSummaries(about.flatMap(({ tenant, ids }) => ids.map((patientId) => ({ tenant, patientId }))));
    for (const [i, { seq: _seq, content, ...rest }] of changes.entries()) {
      const { tenant, ids } = about[i];
      const patients = Object.fromEntries(ids.map((id) => [id, held.get(`${tenant}/${id}`) ?? []]));
      await stream.publishChange({ ...rest, ...(content && CONTENT_READ_CENTRALLY.has(rest.type) ? { content } : {}), patients });
    }
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
  const publish: ChangeHandler<PendingSettlement> = async (_tx, settlements) => {
    for (const { seq: _seq, ...settlement } of settlements) await stream.publishSettlement(settlement);
  };
  return new ChangeFeed(repo, source, publish, log);
}
