// Merge and unmerge of platform persons. Both change links only: the source records and their
// history are never touched. A merge moves every source link of one person to another, says so in both
// golden records (`replaces` / `replaced-by`) and keeps what it moved and the retired person as they
// were, so that an unmerge restores the previous state exactly.
import { randomUUID } from 'node:crypto';
import type { Patient } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import type { MergeRecord, Repository } from '../store/index.js';
import type { GoldenRecords } from './golden.js';
import { withLinks } from './golden.js';
import { sourceUrl } from './settings.js';
import type { IdentitySettings } from './settings.js';

const personRef = (id: string): string => `Patient/${id}`;

export class Merges {
  constructor(
    private readonly settings: IdentitySettings,
    private readonly golden: GoldenRecords,
  ) {}

  /** Merges person `mergedId` into `survivorId`; refused when their verified NHS numbers differ. */
  async merge(repo: Repository, survivorId: string, mergedId: string, actor: string, reason?: string): Promise<MergeRecord> {
    if (survivorId === mergedId) throw new FhirError('invalid', { diagnostics: 'A person cannot be merged into itself', expression: ['Parameters.parameter'] });
    await repo.lockAll([`person:${survivorId}`, `person:${mergedId}`]);
    const [, merged] = await Promise.all([this.activePerson(repo, survivorId, 'target-patient'), this.activePerson(repo, mergedId, 'source-patient')]);
    const verified = await repo.identity.verifiedNhsOfPersons([survivorId, mergedId]);
    const numbers = new Set([...(verified.get(survivorId) ?? []), ...(verified.get(mergedId) ?? [])]);
    if (numbers.size > 1) {
      throw new FhirError('conflict', { diagnostics: `These persons hold different verified NHS numbers (${[...numbers].join(', ')}) and cannot be the same person` });
    }
    const moved = await repo.identity.linksOfPerson(mergedId);
    await repo.identity.link(moved.map((l) => ({ ...l, personId: survivorId, method: 'merge', actor, rule: reason ?? `merged ${personRef(mergedId)} into ${personRef(survivorId)}` })));
    for (const l of moved) await this.settings.relinked?.(repo, l.tenant, l.patientId, survivorId);
    const movedUrls = new Set(moved.map((l) => sourceUrl(this.settings, l.tenant, l.patientId)));
    await this.golden.edit(repo, survivorId, (p) =>
      withLinks(p, [
        ...(p.link ?? []),
        ...[...movedUrls].filter((u) => !p.link?.some((l) => l.other.reference === u)).map((u) => ({ other: { reference: u }, type: 'seealso' as const })),
        { other: { reference: personRef(mergedId) }, type: 'replaces' as const },
      ]),
    );
    await this.golden.edit(repo, mergedId, (p) => ({ ...withLinks(p, [{ other: { reference: personRef(survivorId) }, type: 'replaced-by' }]), active: false }));
    const record = { id: randomUUID(), survivor: survivorId, merged: mergedId, moved, mergedBefore: JSON.stringify(merged), actor, ...(reason ? { reason } : {}) };
    await repo.identity.saveMerge(record);
    return { ...record, undone: false };
  }

  /** Undoes the merge that retired `mergedId`: its links go back as they were, and so does its golden record. */
  async unmerge(repo: Repository, mergedId: string, actor: string): Promise<MergeRecord> {
    const m = await repo.identity.activeMergeOf(mergedId);
    if (!m) throw new FhirError('not-found', { diagnostics: `${personRef(mergedId)} has not been merged into another person (or its merge was undone)`, expression: ['Parameters.parameter'] });
    await repo.lockAll([`person:${m.survivor}`, `person:${mergedId}`]);
    const restored: string[] = [];
    for (const l of m.moved) {
      // Only links still where the merge put them go back; a record re-linked since has moved on.
      const now = await repo.identity.personLink(l);
      if (now?.personId !== m.survivor) continue;
      await repo.identity.link([l], { method: 'unmerge', actor });
      await this.settings.relinked?.(repo, l.tenant, l.patientId, mergedId);
      restored.push(sourceUrl(this.settings, l.tenant, l.patientId));
    }
    await this.golden.edit(repo, m.survivor, (p) =>
      withLinks(p, (p.link ?? []).filter((l) => !restored.includes(l.other.reference ?? '') && !(l.type === 'replaces' && l.other.reference === personRef(mergedId)))),
    );
    const before = JSON.parse(m.mergedBefore) as Patient;
    await this.golden.edit(repo, mergedId, () => before);
    await repo.identity.markUndone(m.id, actor);
    return { ...m, undone: true };
  }

  private async activePerson(repo: Repository, id: string, parameter: string): Promise<Patient> {
    const person = await this.golden.read(repo, id);
    if (!person) throw new FhirError('not-found', { diagnostics: `No platform person ${personRef(id)}`, expression: [`Parameters.parameter.where(name='${parameter}')`] });
    if (person.active === false) throw new FhirError('conflict', { diagnostics: `${personRef(id)} is no longer active (merged into another person)`, expression: [`Parameters.parameter.where(name='${parameter}')`] });
    return person;
  }
}
