// The store's facade: what the REST layer and the capabilities may call. It composes resources,
// index writing, search and history, bound to one connection or one transaction.
import { FhirError } from '../fhir/errors.js';
import type { SearchRequest } from '../fhir/search/types.js';
import type { Resource } from '../fhir/types.js';
import type { Database, Queryable } from './db/driver.js';
import { translated } from './errors.js';
import { AccessRecords, relationshipCondition } from './access.js';
import type { RelationshipHolder } from './access.js';
import { FederationRecords } from './federation.js';
import { IdentityRecords } from './identity.js';
import type { HeldKind } from './compartment.js';
import { readCompartment, summariseCompartments } from './compartment.js';
import type { HistoryPage, HistoryQuery } from './history.js';
import { readHistory } from './history.js';
import { extractIndexRows } from './index-writer.js';
import type { StoredVersion, WriteMethod } from './resources.js';
import { readCurrent, readCurrentMany, readVersion, writeVersions } from './resources.js';
import type { NewVersion } from './resources.js';
import type { CompileContext, Keyset } from './search/compile.js';
import type { Selectivity } from './search/selectivity.js';
import type { FoundResource, SearchResult } from './search/execute.js';
import { executeSearch } from './search/execute.js';
import type { ParamRegistry } from './search/registry.js';
import type { SqlParams } from './search/sql.js';

/** What confines a search beyond its parameters. */
export interface SearchScope {
  relatedTo?: RelationshipHolder;
}

export interface StoreServices {
  registry: ParamRegistry;
  /** Told about every resource write, to keep planner statistics current. */
  statistics?: { noteWrites(tenant: string, count: number): void };
  /** Which search values are common, so the search compiler knows which filters are selective. */
  selectivity?: Selectivity;
  clock: () => Date;
  newId: () => string;
  /** The absolute FHIR base of a tenant's store: references to it search as relative ones. */
  baseOf: (tenant: string) => string;
  /** A tenant whose writes no change feed digests (the central store): they get no outbox row. */
  unpublished?: string;
  /** Told of every write that gets an outbox row, before it commits (the change feed looks sooner). */
  published?: () => void;
}

export interface WriteResult {
  version: StoredVersion;
  resource: Resource;
  created: boolean;
}

/** How a replacing write (update, delete) is conditioned on the version it replaces. */
export interface WriteOptions {
  /** The version the client last saw (412 when stale). */
  ifMatch?: number;
  /** Refuses the write by throwing, given the current version, read under its row lock. */
  checkCurrent?: (current: StoredVersion | undefined) => void;
  /** The current version as this transaction already read it under its row lock (readForUpdate): not read again. */
  locked?: { current: StoredVersion | undefined };
}

export class Repository {
  constructor(
    private readonly q: Queryable,
    private readonly services: StoreServices,
    private readonly db?: Database,
  ) {}

  /** Runs fn with a repository bound to one database transaction (nested calls reuse it). */
  async transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    if (!this.db) return fn(this);
    return translated(() => (this.db as Database).transaction((tx) => fn(new Repository(tx, this.services))));
  }

  read(tenant: string, type: string, id: string): Promise<StoredVersion | undefined> {
    return translated(() => readCurrent(this.q, { tenant, type, id }));
  }

  /** Reads the current version and locks its row until the transaction ends (inside transaction()). */
  readForUpdate(tenant: string, type: string, id: string): Promise<StoredVersion | undefined> {
    return translated(() => readCurrent(this.q, { tenant, type, id }, true));
  }

  /** The current versions of several resources of one type, by id (`forUpdate`: locked until the transaction ends). */
  readMany(tenant: string, type: string, ids: readonly string[], forUpdate = false): Promise<Map<string, StoredVersion>> {
    return translated(() => readCurrentMany(this.q, tenant, type, ids, forUpdate));
  }

  vread(tenant: string, type: string, id: string, version: number): Promise<StoredVersion | undefined> {
    return translated(() => readVersion(this.q, { tenant, type, id }, version));
  }

  /** Creates a resource with a server-assigned id (single statement: atomic without a transaction). */
  async create(tenant: string, resource: Resource): Promise<WriteResult> {
    return (await this.createMany(tenant, [{ resource }]))[0];
  }

  /**
   * Creates several resources in one statement (a transaction's creates). Each takes its given id,
   * which must be new (a fresh UUID), or a server-assigned one.
   */
  createMany(tenant: string, items: { resource: Resource; id?: string }[]): Promise<WriteResult[]> {
    return translated(async () => {
      const lastUpdated = this.services.clock().toISOString();
      const prepared = items.map(({ resource, id }) => this.prepare(resource, id ?? this.services.newId(), 1, lastUpdated, 'POST'));
      await this.persist(tenant, prepared.map((p) => p.row));
      return prepared.map((p) => ({ version: p.version, resource: p.resource, created: true }));
    });
  }

  /**
   * Creates or replaces `type/id`. `ifMatch` is the version the client last saw (412 when stale).
   * Locks the current row so concurrent updates serialise.
   */
  update(tenant: string, resource: Resource, id: string, options: WriteOptions & { method?: WriteMethod } = {}): Promise<WriteResult> {
    return this.transaction(async (repo) => {
      const current = options.locked ? options.locked.current : await readCurrent(repo.q, { tenant, type: resource.resourceType, id }, true);
      options.checkCurrent?.(current);
      if (options.ifMatch !== undefined && current?.version !== options.ifMatch) {
        throw new FhirError('precondition-failed', {
          diagnostics: `Version conflict: If-Match names version ${options.ifMatch} but the current version is ${current ? current.version : 'none'}`,
        });
      }
      const p = repo.prepare(resource, id, (current?.version ?? 0) + 1, this.services.clock().toISOString(), options.method ?? 'PUT');
      await repo.persist(tenant, [p.row]);
      return { version: p.version, resource: p.resource, created: !current || current.deleted };
    });
  }

  /**
   * Creates or replaces several resources of one type by id (each once) in two statements: their
   * current versions read under row locks (or as `locked` gives them, already read so by readMany),
   * then every new version written together.
   */
  updateMany(tenant: string, type: string, resources: readonly Resource[], locked?: ReadonlyMap<string, StoredVersion>): Promise<WriteResult[]> {
    if (!resources.length) return Promise.resolve([]);
    return this.transaction(async (repo) => {
      const ids = resources.map((r) => r.id as string);
      const current = locked ?? (await repo.readMany(tenant, type, ids, true));
      const lastUpdated = this.services.clock().toISOString();
      const prepared = resources.map((resource, i) => {
        const before = current.get(ids[i]);
        return { before, ...repo.prepare(resource, ids[i], (before?.version ?? 0) + 1, lastUpdated, 'PUT') };
      });
      await repo.persist(tenant, prepared.map((p) => p.row));
      return prepared.map((p) => ({ version: p.version, resource: p.resource, created: !p.before || p.before.deleted }));
    });
  }

  /** Deletes as a new version; returns undefined when there is nothing current to delete. */
  delete(tenant: string, type: string, id: string, options: WriteOptions = {}): Promise<StoredVersion | undefined> {
    return this.transaction(async (repo) => {
      const current = await readCurrent(repo.q, { tenant, type, id }, true);
      options.checkCurrent?.(current);
      if (options.ifMatch !== undefined && current?.version !== options.ifMatch) {
        throw new FhirError('precondition-failed', { diagnostics: `Version conflict: If-Match names version ${options.ifMatch}` });
      }
      if (!current || current.deleted) return current;
      const lastUpdated = this.services.clock().toISOString();
      const version = current.version + 1;
      await repo.persist(tenant, [{ type, id, version, lastUpdated, deleted: true, method: 'DELETE', content: '' }]);
      return { type, id, version, lastUpdated, deleted: true, content: '' };
    });
  }

  /** `scope.relatedTo`: only people the holder has a legitimate relationship with (central searches). */
  search(tenant: string, request: SearchRequest, keyset?: Keyset, scope: SearchScope = {}): Promise<SearchResult> {
    const related = scope.relatedTo;
    const extraConditions = related ? [(params: SqlParams) => relationshipCondition(params, request.resourceType, related)] : undefined;
    const ctx: CompileContext = { registry: this.services.registry, localBases: [this.services.baseOf(tenant)], extraConditions, selectivity: this.services.selectivity };
    return translated(() => executeSearch(this.q, ctx, tenant, request, keyset));
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return translated(() => readHistory(this.q, query));
  }

  /** A Patient's compartment: the Patient and what refers to it (current versions), at most `limit`. */
  compartment(tenant: string, patientId: string, limit: number, types?: readonly string[]): Promise<FoundResource[]> {
    return translated(() => readCompartment(this.q, tenant, patientId, limit, types));
  }

  /** What each of several Patients' compartments holds, by `tenant/patientId`. */
  compartmentSummaries(patients: readonly { tenant: string; patientId: string }[]): Promise<Map<string, HeldKind[]>> {
    return translated(() => summariseCompartments(this.q, patients));
  }

  /** The federation records (outbox, registrations) on this connection or transaction. */
  get federation(): FederationRecords {
    return new FederationRecords(this.q);
  }

  /** Access control's records (policy versions, break-glass grants, care services) on this connection or transaction. */
  get access(): AccessRecords {
    return new AccessRecords(this.q);
  }

  /** The identity records (match index, person links, reviews, merges) on this connection or transaction. */
  get identity(): IdentityRecords {
    return new IdentityRecords(this.q);
  }

  /** Serialises work on several keys at once (taken in a fixed order, so two callers cannot deadlock). */
  async lockAll(keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    await this.q.query('SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM (SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n) s', [[...new Set(keys)].sort()]);
  }

  /** Serialises lock-step work on a key (conditional create) inside the current transaction. */
  async lock(key: string): Promise<void> {
    await this.q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
  }

  /** Writes versions and tells the statistics keeper how many (and the change feed, when they are published). */
  private async persist(tenant: string, rows: NewVersion[]): Promise<void> {
    const published = tenant !== this.services.unpublished;
    await writeVersions(this.q, tenant, rows, published);
    this.services.statistics?.noteWrites(tenant, rows.length);
    if (published) this.services.published?.();
  }

  /** The stored form of a new version: stamped resource, its JSON text and its index rows. */
  private prepare(input: Resource, id: string, version: number, lastUpdated: string, method: WriteMethod): { row: NewVersion; version: StoredVersion; resource: Resource } {
    const resource = stamp(input, id, version, lastUpdated);
    const content = JSON.stringify(resource);
    const indexRows = extractIndexRows(this.services.registry, resource);
    const type = resource.resourceType;
    return {
      row: { type, id, version, lastUpdated, deleted: false, method, content, indexRows },
      version: { type, id, version, lastUpdated, deleted: false, content },
      resource,
    };
  }
}

/** The resource as stored: server id, versionId and lastUpdated set; `id` and `meta` first. */
function stamp(resource: Resource, id: string, version: number, lastUpdated: string): Resource {
  const { resourceType, id: _ignored, meta, ...rest } = resource;
  const cleanMeta = { ...meta };
  delete cleanMeta.versionId;
  delete cleanMeta.lastUpdated;
  return { resourceType, id, meta: { versionId: String(version), lastUpdated, ...cleanMeta }, ...rest } as Resource;
}
