// What the central platform does with each change a tenant made: a Patient version registers (or
// unregisters) the subject of care in the person index and settles its pending registrations; an
// EpisodeOfCare records (or ends) an organisation's active service; any version about a registered
// Patient refreshes the record locator.
import type { EpisodeOfCare, Patient } from '@medplum/fhirtypes';
import { careServiceOf } from '../access/index.js';
import type { PersonIndex } from '../identity/index.js';
import type { Change, RegistrationOutcome, Repository, Settlement } from '../store/index.js';
import { patientsReferenced } from './change-feed.js';
import type { RecordLocator } from './locator.js';
import type { FederationSettings } from './settings.js';

/** Tells the pending registrations of a Patient, up to the change's version, how they ended. */
export type Settle = (tx: Repository, change: Change, outcome: RegistrationOutcome) => Promise<void>;

const settlement = (change: Change, outcome: RegistrationOutcome): Settlement => ({ tenant: change.tenant, subjectOfCareId: change.id, upToVersion: change.version, outcome });

/** The registration requests are in this database (all-in-one, or DPLs sharing it). */
export const settleHere: Settle = (tx, change, outcome) => tx.federation.settleRegistrations(settlement(change, outcome));

/**
 * The registration requests are in a DPL's own store: the settlement is queued in this transaction and
 * relayed to the DPL once it commits (relaySettlements), never before.
 */
export const settleAtDpl: Settle = (tx, change, outcome) => tx.federation.queueSettlement(settlement(change, outcome));

export class ChangeDigest {
  constructor(
    private readonly index: PersonIndex,
    private readonly locator: RecordLocator,
    private readonly settings: FederationSettings,
    private readonly settle: Settle,
  ) {}

  readonly apply = async (tx: Repository, change: Change): Promise<void> => {
    if (change.tenant === this.settings.centralTenant) return;
    if (change.type === 'Patient') return this.applyPatient(tx, change);
    if (change.type === 'EpisodeOfCare') await tx.access.recordService(change.tenant, change.id, change.deleted || !change.content ? undefined : careServiceOf(JSON.parse(change.content) as EpisodeOfCare));
    // The version's references say whom it is about; a deletion is about whom the previous version was.
    const about = change.patients ? Object.keys(change.patients) : change.content ? patientsReferenced(JSON.parse(change.content)) : [];
    for (const patientId of about) {
      const link = await tx.identity.personLink({ tenant: change.tenant, patientId });
      if (link) await this.locator.refresh(tx, change.tenant, patientId, link.personId, change.patients?.[patientId]);
    }
  };

  private async applyPatient(tx: Repository, change: Change): Promise<void> {
    if (change.deleted) {
      await this.index.unregister(tx, change.tenant, change.id);
      await this.locator.remove(tx, change.tenant, change.id);
      return;
    }
    if (!change.content) return;
    const registered = await this.index.register(tx, change.tenant, JSON.parse(change.content) as Patient);
    if (registered.status === 'registered') await this.locator.refresh(tx, change.tenant, change.id, registered.personId, change.patients?.[change.id]);
    else await this.locator.remove(tx, change.tenant, change.id);
    await this.settle(
      tx,
      change,
      registered.status === 'registered' ? { status: 'registered', personId: registered.personId } : { status: 'failed', reason: registered.reason, diagnostics: registered.diagnostics },
    );
  }
}
