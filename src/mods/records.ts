// The MODS API's records on a tenant: publish, new version, read latest, history and list by subject.
// The FHIR store is the only copy: a MODS record is read back from the resources it became, so what
// FHIR clients change is what MODS clients see. A write is one database transaction.
import type { Definitions } from '../fhir/definitions.js';
import { FhirError } from '../fhir/errors.js';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import { parseSearch } from '../fhir/search/parse.js';
import type { Resource } from '../fhir/types.js';
import type { Validator } from '../fhir/validation.js';
import type { Repository, StoredVersion } from '../store/index.js';
import { fhirToMods, modsToFhir, parseMods } from './adapter.js';
import { subjectOfCareRegistration } from './model/subject-of-care.js';
import { toIssues } from './validation.js';
import type { ModsClass, ModsRecord } from './classes.js';
import { MODS_CLASSES, modsClass } from './classes.js';
import type { FhirEntry, MappingContext } from './mapping/shared.js';
import { partReferences } from './mapping/shared.js';
import type { SubjectRef } from './model/primitives.js';
import { MODS_CLASS_SYSTEM } from './terminology.js';

export interface ModsServices {
  defs: Definitions;
  validator: Validator;
  newId: () => string;
  clock: () => Date;
}

export interface PublishResult {
  id: string;
  version: number;
  /** The FHIR resources the record became, `Type/id`, the primary first. */
  fhir: string[];
  created: boolean;
}

export interface HistoryItem {
  versionNumber: number;
  lastUpdated: string;
  record: ModsRecord;
}

/** Most records a list returns; the API says so when there are more. */
export const MAX_LISTED = 1000;

export class ModsRecords {
  constructor(private readonly services: ModsServices) {}

  /** Publishes a new record (POST): 409 when its recordUid is already taken. */
  publish(repo: Repository, tenant: string, cls: ModsClass, body: unknown): Promise<PublishResult> {
    const record = parseMods(cls, body);
    return this.write(repo, tenant, cls, { ...record, recordUid: record.recordUid ?? this.services.newId() }, 'create');
  }

  /**
   * A registration payload (subject of care with its subjectOfCareId) written as the tenant's Patient,
   * created or as a new version. `alongside` runs in the same transaction (the registration request,
   * so the change feed cannot see the Patient before the request exists).
   */
  register(repo: Repository, tenant: string, body: unknown, alongside: (tx: Repository, written: PublishResult) => Promise<void>): Promise<PublishResult> {
    const cls = subjectOfCareClass();
    const result = subjectOfCareRegistration.safeParse(body, { reportInput: true });
    if (!result.success) throw new FhirError('unprocessable', toIssues(cls.key, result.error));
    const { versionNumber: _platformNumbersVersions, ...record } = result.data;
    return this.write(repo, tenant, cls, { ...record, recordUid: record.recordUid as string }, 'upsert', alongside);
  }

  /** A new version of record `id` (PUT); a versionNumber in the body must be the next one. */
  newVersion(repo: Repository, tenant: string, cls: ModsClass, id: string, body: unknown): Promise<PublishResult> {
    const record = parseMods(cls, body);
    if (record.recordUid !== undefined && record.recordUid !== id) {
      throw new FhirError('unprocessable', { diagnostics: `${cls.key}.recordUid: '${record.recordUid}' differs from the record in the URL ('${id}')`, expression: `${cls.key}.recordUid` });
    }
    return this.write(repo, tenant, cls, { ...record, recordUid: id }, 'update');
  }

  async read(repo: Repository, tenant: string, cls: ModsClass, id: string): Promise<ModsRecord> {
    const primary = await this.current(repo, tenant, cls, id);
    const parts = new Map<string, Resource>();
    for (const ref of partReferences(primary)) {
      const [type, partId] = ref.split('/');
      const part = await repo.read(tenant, type, partId);
      if (part && !part.deleted) parts.set(ref, JSON.parse(part.content) as Resource);
    }
    return fhirToMods(cls, primary, (ref) => parts.get(ref));
  }

  /** Every version, newest first; each with the parts as they were when that version was written. */
  async history(repo: Repository, tenant: string, cls: ModsClass, id: string): Promise<HistoryItem[]> {
    await this.current(repo, tenant, cls, id);
    const page = await repo.history({ tenant, type: cls.fhirType, id, count: MAX_LISTED });
    const items: HistoryItem[] = [];
    for (const version of page.entries.filter((v) => !v.deleted)) {
      const primary = JSON.parse(version.content) as Resource;
      const parts = new Map<string, Resource>();
      for (const ref of partReferences(primary)) {
        const [type, partId] = ref.split('/');
        const asOf = (await repo.history({ tenant, type, id: partId, before: version.lastUpdated, count: 1 })).entries[0];
        if (asOf && !asOf.deleted) parts.set(ref, JSON.parse(asOf.content) as Resource);
      }
      items.push({ versionNumber: version.version, lastUpdated: version.lastUpdated, record: fhirToMods(cls, primary, (ref) => parts.get(ref)) });
    }
    return items;
  }

  /** The records of a class about one subject of care (the tenant's subjectOfCareId). */
  async listBySubject(repo: Repository, tenant: string, cls: ModsClass, subjectId: string): Promise<ModsRecord[]> {
    if (cls.name === 'subject-of-care') return (await repo.read(tenant, 'Patient', subjectId))?.deleted === false ? [await this.read(repo, tenant, cls, subjectId)] : [];
    // A care worker is linked to the people they care for through their CareTeams.
    const viaCareTeam = cls.name === 'care-worker';
    const type = viaCareTeam ? 'CareTeam' : cls.fhirType;
    const query: [string, string][] = [['patient', `Patient/${subjectId}`], ['_count', String(MAX_LISTED)], ['_sort', '_lastUpdated']];
    if (!viaCareTeam) query.push(['_tag', `${MODS_CLASS_SYSTEM}|${cls.name}`]);
    if (!this.services.defs.searchParameters.get(type)?.has('patient')) {
      throw new FhirError('invalid', { diagnostics: `MODS ${cls.resourceType} records are not about one subject of care, so cannot be listed by subjectOfCare`, expression: 'subjectOfCare' });
    }
    const found = await repo.search(tenant, parseSearch(this.services.defs, type, query));
    const ids = viaCareTeam
      ? [...new Set(found.matches.flatMap((m) => (JSON.parse(m.content) as { participant?: { member?: { reference?: string } }[] }).participant ?? []).flatMap((p) => p.member?.reference?.match(/^Practitioner\/(.+)$/)?.[1] ?? []))]
      : found.matches.map((m) => m.id);
    return Promise.all(ids.map((id) => this.read(repo, tenant, cls, id)));
  }

  private async current(repo: Repository, tenant: string, cls: ModsClass, id: string): Promise<Resource> {
    const stored = await repo.read(tenant, cls.fhirType, id);
    const resource = stored && !stored.deleted ? (JSON.parse(stored.content) as Resource) : undefined;
    const tag = resource?.meta?.tag?.find((t) => t.system === MODS_CLASS_SYSTEM)?.code;
    // An untagged resource (written through FHIR) is read as this class only when no other class shares its type.
    const shared = MODS_CLASSES.filter((c) => c.fhirType === cls.fhirType).length > 1;
    if (!resource || (tag === undefined ? shared : tag !== cls.name)) {
      throw new FhirError('not-found', { diagnostics: `No MODS ${cls.resourceType} record '${id}' on this tenant`, code: 'not-found' });
    }
    return resource;
  }

  private async write(
    repo: Repository,
    tenant: string,
    cls: ModsClass,
    record: ModsRecord & { recordUid: string },
    mode: 'create' | 'update' | 'upsert',
    alongside?: (tx: Repository, written: PublishResult) => Promise<void>,
  ): Promise<PublishResult> {
    return repo.transaction(async (tx) => {
      // Sent together, run in order: the record's lock (it may not exist yet, so there is no row to
      // lock), then its current version under the row lock a FHIR write of it would wait on.
      const [, existing] = await Promise.all([tx.lock(`mods:${tenant}:${cls.fhirType}/${record.recordUid}`), tx.readForUpdate(tenant, cls.fhirType, record.recordUid)]);
      const live = existing && !existing.deleted ? existing : undefined;
      if (mode === 'create' && live) {
        throw new FhirError('conflict', { diagnostics: `${cls.key}.recordUid: record '${record.recordUid}' already exists; PUT a new version to .../${cls.name}/${record.recordUid}`, expression: `${cls.key}.recordUid` });
      }
      if (mode === 'update' && !live) throw new FhirError('not-found', { diagnostics: `No MODS ${cls.resourceType} record '${record.recordUid}' on this tenant; POST to publish it` });
      const expected = (live?.version ?? 0) + 1;
      if (record.versionNumber !== undefined && record.versionNumber !== expected) {
        throw new FhirError('conflict', { diagnostics: `${cls.key}.versionNumber: the next version of this record is ${expected}, not ${record.versionNumber}`, expression: `${cls.key}.versionNumber` });
      }
      const subjects = await this.resolveSubjects(tx, tenant, cls, record);
      const ctx: MappingContext = { newUuid: this.services.newId, today: this.services.clock().toISOString().slice(0, 10), subjectId: (s) => subjects.get(subjectKey(s)) };
      const entries = modsToFhir(cls, { ...record, versionNumber: undefined }, ctx);
      this.validate(entries);
      // Parts first, then the primary: history reads a version's parts as of the primary's lastUpdated.
      const written: StoredVersion[] = [];
      for (const { resource } of [...entries].reverse()) {
        const primary = resource.resourceType === cls.fhirType && resource.id === record.recordUid;
        written.unshift((await tx.update(tenant, resource, resource.id as string, primary ? { locked: { current: existing } } : {})).version);
      }
      // Parts the previous version had and this one does not are deleted (their history stays).
      const kept = new Set(entries.map((e) => e.fullUrl));
      for (const stale of live ? partReferences(JSON.parse(live.content) as Resource).filter((r) => !kept.has(r)) : []) {
        const [type, id] = stale.split('/');
        await tx.delete(tenant, type, id);
      }
      const result = { id: record.recordUid, version: written[0].version, fhir: written.map((v) => `${v.type}/${v.id}`), created: !live };
      await alongside?.(tx, result);
      return result;
    });
  }

  /** Every subject of care the record refers to must be one this tenant holds (by subjectOfCareId or NHS number). */
  private async resolveSubjects(repo: Repository, tenant: string, cls: ModsClass, record: ModsRecord): Promise<Map<string, string>> {
    const resolved = new Map<string, string>();
    const problems: { diagnostics: string; expression: string }[] = [];
    for (const { path, subject } of subjectReferences(record, cls.key)) {
      if (subject.ref !== undefined) {
        const patient = await repo.read(tenant, 'Patient', subject.ref);
        if (!patient || patient.deleted) problems.push({ expression: path, diagnostics: `${path}: this tenant holds no subject of care '${subject.ref}'` });
        continue;
      }
      const found = await repo.search(tenant, parseSearch(this.services.defs, 'Patient', [['identifier', `${NHS_NUMBER_SYSTEM}|${subject.nhsNumber}`], ['_count', '2']]));
      if (found.matches.length === 1) resolved.set(subjectKey(subject), found.matches[0].id);
      else problems.push({ expression: path, diagnostics: `${path}: this tenant holds ${found.matches.length === 0 ? 'no subject of care' : 'more than one subject of care'} with NHS number ${subject.nhsNumber}` });
    }
    if (problems.length) throw new FhirError('unprocessable', problems.map((p) => ({ ...p, code: 'not-found' as const })));
    return resolved;
  }

  /** What we map must be valid R4 + UK Core; a MODS record that passes its schema but not that is refused whole. */
  private validate(entries: FhirEntry[]): void {
    const issues = entries.flatMap(({ resource }) => this.services.validator.validate(resource));
    if (issues.length) throw new FhirError('unprocessable', issues);
  }
}

const subjectOfCareClass = (): ModsClass => modsClass('subject-of-care') as ModsClass;

const subjectKey = (s: SubjectRef): string => s.nhsNumber ?? `ref:${s.ref ?? ''}`;

/** Every `subjectOfCare` reference in a record, with its MODS path. */
function subjectReferences(value: unknown, path: string): { path: string; subject: SubjectRef }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => subjectReferences(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'subjectOfCare' ? [{ path: `${path}.${k}`, subject: v as SubjectRef }] : subjectReferences(v, `${path}.${k}`)));
}
