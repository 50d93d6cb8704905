// What the central platform does with the changes tenants made, a batch at a time: a Patient version
// registers (or unregisters) the subject of care in the person index and settles its pending
// registrations; an EpisodeOfCare records (or ends) an organisation's active service; any version about a
// registered Patient refreshes the record locator. A batch is digested set-wise — its registrations
// matched together, its pointers refreshed together, its settlements written together — in a few
// statements per batch rather than a dozen per change.
import type { EpisodeOfCare, Patient } from '@medplum/fhirtypes';
import { careServiceOf } from '../access/index.js';
import type { PersonIndex } from '../identity/index.js';
import type { Change, Repository, Settlement } from '../store/index.js';
import { recordKey } from '../store/index.js';
import { patientsReferenced } from './change-feed.js';
import type { LocatedRecord, RecordLocator } from './locator.js';
import type { FederationSettings } from './settings.js';

/** Tells the pending registrations of Patients, up to the changes' versions, how they ended. */
export type Settle = (tx: Repository, settlements: Settlement[]) => Promise<void>;

/** The registration requests are in this database (all-in-one, or DPLs sharing it). */
export const settleHere: Settle = (tx, settlements) => tx.federation.settleRegistrations(settlements);

/**
 * The registration requests are in a DPL's own store: the settlements are queued in this transaction and
 * relayed to the DPL once it commits (relaySettlements), never before.
 */
export const settleAtDpl: Settle = (tx, settlements) => tx.federation.queueSettlements(settlements);

export class ChangeDigest {
  constructor(
    private readonly index: PersonIndex,
    private readonly locator: RecordLocator,
    private readonly settings: FederationSettings,
    private readonly settle: Settle,
  ) {}

  readonly apply = async (tx: Repository, changes: readonly Change[]): Promise<void> => {
    for (const segment of segments(changes.filter((c) => c.tenant !== this.settings.centralTenant))) await this.applySegment(tx, segment);
  };

  /** Changes in which no Patient appears twice: their order within does not matter. */
  private async applySegment(tx: Repository, changes: readonly Change[]): Promise<void> {
    const located: LocatedRecord[] = [];
    for (const c of changes) {
      if (c.type !== 'Patient' || !c.deleted) continue;
      await this.index.unregister(tx, c.tenant, c.id);
      await this.locator.remove(tx, c.tenant, c.id);
    }
    const registering = changes.filter((c): c is Change & { content: string } => c.type === 'Patient' && !c.deleted && c.content !== undefined);
    const registered = await this.index.registerMany(tx, registering.map((c) => ({ tenant: c.tenant, patient: JSON.parse(c.content) as Patient })));
    const settlements: Settlement[] = [];
    for (const [i, c] of registering.entries()) {
      const r = registered[i];
      if (r.status === 'registered') located.push({ tenant: c.tenant, patientId: c.id, personId: r.personId, ...(c.patients?.[c.id] ? { held: c.patients[c.id] } : {}) });
      else await this.locator.remove(tx, c.tenant, c.id);
      settlements.push({
        tenant: c.tenant,
        subjectOfCareId: c.id,
        upToVersion: c.version,
        outcome: r.status === 'registered' ? { status: 'registered', personId: r.personId } : { status: 'failed', reason: r.reason, diagnostics: r.diagnostics },
      });
    }
    for (const c of changes) {
      if (c.type === 'EpisodeOfCare') await tx.access.recordService(c.tenant, c.id, c.deleted || !c.content ? undefined : careServiceOf(JSON.parse(c.content) as EpisodeOfCare));
    }
    // A version's references say whom it is about; a deletion is about whom the previous version was.
    const about = changes
      .filter((c) => c.type !== 'Patient')
      .flatMap((c) => (c.patients ? Object.keys(c.patients) : c.content ? [...patientsReferenced(JSON.parse(c.content))] : []).map((patientId) => ({ tenant: c.tenant, patientId, held: c.patients?.[patientId] })));
    const links = await tx.identity.personLinks(about);
    for (const { held, ...record } of about) {
      const link = links.get(recordKey(record));
      if (link) located.push({ ...record, personId: link.personId, ...(held ? { held } : {}) });
    }
    await Promise.all([this.locator.refresh(tx, located), this.settle(tx, settlements)]);
  }
}

/** Splits changes, in order, where a Patient comes again: each of its versions is registered in turn. */
function segments(changes: readonly Change[]): Change[][] {
  const out: Change[][] = [[]];
  let patients = new Set<string>();
  for (const c of changes) {
    const key = `${c.tenant}/${c.id}`;
    if (c.type === 'Patient' && patients.has(key)) {
      out.push([]);
      patients = new Set();
    }
    if (c.type === 'Patient') patients.add(key);
    out[out.length - 1].push(c);
  }
  return out.filter((s) => s.length > 0);
}
