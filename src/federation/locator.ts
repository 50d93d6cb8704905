// The record locator: for each platform person, which tenants hold records about them, what kinds and
// when last updated. Kept in the central store as one DocumentReference pointer per (tenant, Patient),
// as the NHS National Record Locator does, so consumers query it with ordinary FHIR search:
// `GET /fhir/DocumentReference?subject=Patient/{person}&type=https://openscip.org/fhir/CodeSystem/record-locator|tenant-record`.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { DocumentReference } from '@medplum/fhirtypes';
import { parseSearch } from '../fhir/search/parse.js';
import type { Definitions } from '../fhir/definitions.js';
import type { HeldKind, Repository } from '../store/index.js';
import { sourceUrl } from '../identity/index.js';
import type { FederationSettings } from './settings.js';

export const LOCATOR_SYSTEM = 'https://openscip.org/fhir/CodeSystem/record-locator';
export const TENANT_SYSTEM = 'https://openscip.org/Id/tenant';
const HELD_EXTENSION = 'https://openscip.org/fhir/StructureDefinition/record-locator-held';

/** Where a tenant holds records about a person: one locator entry. */
export interface LocatorEntry {
  tenant: string;
  /** The tenant's own id for its Patient. */
  patientId: string;
}

/** A tenant's Patient linked to a platform person, and what the tenant holds about them when already known. */
export interface LocatedRecord extends LocatorEntry {
  personId: string;
  held?: HeldKind[];
}

const pointerId = (tenant: string, patientId: string): string => `loc-${createHash('sha256').update(`${tenant}/${patientId}`).digest('hex').slice(0, 40)}`;

export class RecordLocator {
  constructor(
    private readonly defs: Definitions,
    private readonly settings: FederationSettings,
  ) {}

  /**
   * Brings the pointers for tenants' Patients up to date with what each tenant now holds: `held` when
   * the change says (a DPL with its own store), otherwise read from the tenant's rows in this database.
   * A few statements however many; a Patient named twice is refreshed as last named.
   */
  async refresh(repo: Repository, named: readonly LocatedRecord[]): Promise<void> {
    const records = [...new Map(named.map((r) => [`${r.tenant}/${r.patientId}`, r])).values()];
    if (!records.length) return;
    const ids = records.map((r) => pointerId(r.tenant, r.patientId));
    const unknown = records.filter((r) => !r.held);
    const [summaries, current] = await Promise.all([repo.compartmentSummaries(unknown), repo.readMany(this.settings.centralTenant, 'DocumentReference', ids, true)]);
    const changed: DocumentReference[] = [];
    for (const [i, r] of records.entries()) {
      const held = r.held ?? summaries.get(`${r.tenant}/${r.patientId}`) ?? [];
      if (held.length === 0) {
        await this.remove(repo, r.tenant, r.patientId);
        continue;
      }
      const pointer = this.pointer(ids[i], r, held);
      const stored = current.get(ids[i]);
      if (stored && !stored.deleted) {
        const { meta: _meta, ...was } = JSON.parse(stored.content) as DocumentReference;
        if (isDeepStrictEqual(was, pointer)) continue;
      }
      changed.push(pointer);
    }
    await repo.updateMany(this.settings.centralTenant, 'DocumentReference', changed, current);
  }

  private pointer(id: string, { tenant, patientId, personId }: LocatedRecord, held: HeldKind[]): DocumentReference {
    return {
      resourceType: 'DocumentReference',
      id,
      extension: held.map((k) => ({
        url: HELD_EXTENSION,
        extension: [
          { url: 'type', valueCode: k.type },
          { url: 'count', valueInteger: k.count },
          { url: 'lastUpdated', valueInstant: k.lastUpdated },
        ],
      })),
      status: 'current',
      type: { coding: [{ system: LOCATOR_SYSTEM, code: 'tenant-record', display: 'Records a tenant holds about a person' }] },
      subject: { reference: `Patient/${personId}` },
      date: held.map((k) => k.lastUpdated).sort().at(-1),
      custodian: { identifier: { system: TENANT_SYSTEM, value: tenant }, display: tenant },
      content: [{ attachment: { contentType: 'application/fhir+json', url: sourceUrl(this.settings, tenant, patientId), title: `Patient record at ${tenant}` } }],
    };
  }

  /**
   * Points a tenant's Patient's pointer at another person (a merge or unmerge moved the record): what
   * the tenant holds has not changed, so the pointer keeps it, whether or not this database holds the
   * tenant's rows.
   */
  async repoint(repo: Repository, tenant: string, patientId: string, personId: string): Promise<void> {
    const id = pointerId(tenant, patientId);
    const current = await repo.read(this.settings.centralTenant, 'DocumentReference', id);
    if (!current || current.deleted) return;
    const { meta: _meta, ...pointer } = JSON.parse(current.content) as DocumentReference;
    if (pointer.subject?.reference === `Patient/${personId}`) return;
    await repo.update(this.settings.centralTenant, { ...pointer, subject: { reference: `Patient/${personId}` } }, id);
  }

  async remove(repo: Repository, tenant: string, patientId: string): Promise<void> {
    await repo.delete(this.settings.centralTenant, 'DocumentReference', pointerId(tenant, patientId));
  }

  /** The tenants holding records about a person, from the pointers. */
  async entries(repo: Repository, personId: string): Promise<LocatorEntry[]> {
    const found = await repo.search(
      this.settings.centralTenant,
      parseSearch(this.defs, 'DocumentReference', [['subject', `Patient/${personId}`], ['type', `${LOCATOR_SYSTEM}|tenant-record`], ['_count', '1000']]),
    );
    return found.matches.map((m) => {
      const pointer = JSON.parse(m.content) as DocumentReference;
      const url = pointer.content[0].attachment.url as string;
      return { tenant: pointer.custodian?.identifier?.value as string, patientId: url.slice(url.lastIndexOf('/') + 1) };
    });
  }
}
