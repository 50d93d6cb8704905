// Federated retrieval on the central base: `Patient/{person}/$everything` and `{Type}?patient={person}`
// fan out in parallel to exactly the tenants the record locator names, each within a time limit; the
// answers merge into one searchset Bundle where every resource says where it came from (`meta.source`),
// exact duplicates appear once, and pages are cut from the merged list. A tenant that fails or is late
// is left out with a warning OperationOutcome entry; the answer is still 200.
import type { Definitions } from '../fhir/definitions.js';
import { FhirError } from '../fhir/errors.js';
import { DEFAULT_COUNT, MAX_COUNT, parseSearch } from '../fhir/search/parse.js';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.js';
import type { AccessRequest, PersonAccess, RequestContext } from '../fhir/context.js';
import { readGrants } from '../rest/access.js';
import { bundle, queryString } from '../rest/bundle.js';
import type { BundleEntryOut } from '../rest/bundle.js';
import { parsePrefer } from '../rest/prefer.js';
import { outcome, requireCurrent } from '../rest/response.js';
import type { FhirRequest, FhirResponse } from '../rest/types.js';
import type { Repository } from '../store/index.js';
import type { LocatorEntry, RecordLocator } from './locator.js';
import type { TenantClient } from './tenant-client.js';

export interface RetrievalSettings {
  centralTenant: string;
  /** How long a tenant may take before it is left out (ms). */
  tenantTimeoutMs: number;
}

/** Types the central store answers itself even with a `patient` parameter. */
const CENTRAL_TYPES = new Set(['Patient', 'AuditEvent']);
/** Paging parameter of merged results: the index of the first entry of the page. */
const OFFSET = '_offset';
const PAGE_PARAMS = new Set(['_count', OFFSET, '_cursor', 'patient']);

export type TenantAnswer = { entry: LocatorEntry; bundle: Bundle } | { entry: LocatorEntry; problem: string };

export class FederatedRetrieval {
  constructor(
    private readonly defs: Definitions,
    private readonly locator: RecordLocator,
    private readonly tenants: TenantClient,
    private readonly settings: RetrievalSettings,
  ) {}

  /** A type-level search on the central base that names a person with `patient=`. */
  isFederatedSearch(ctx: RequestContext, req: FhirRequest): boolean {
    return (
      ctx.tenant === this.settings.centralTenant &&
      (req.method === 'GET' || req.method === 'HEAD') &&
      req.path.length === 1 &&
      this.defs.resourceTypes.has(req.path[0]) &&
      !CENTRAL_TYPES.has(req.path[0]) &&
      req.query.some(([k]) => k === 'patient')
    );
  }

  async search(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<FhirResponse> {
    const [type] = req.path;
    const patients = req.query.filter(([k]) => k === 'patient').map(([, v]) => v);
    if (patients.length !== 1 || patients[0].includes(',')) throw new FhirError('invalid', { diagnostics: 'A federated search names exactly one person: patient=Patient/{id}', expression: 'patient' });
    const personId = patients[0].replace(/^Patient\//, '');
    const access: AccessRequest = { interaction: 'search', type, access: 's' };
    const grant = ctx.access.authorise(access);
    const reach = await ctx.access.reach(personId, access);
    const forwarded = req.query.filter(([k]) => !PAGE_PARAMS.has(k));
    // Bad parameters are the caller's problem, said once, not a warning per tenant.
    parseSearch(this.defs, type, forwarded, { lenient: parsePrefer(req.headers.prefer).lenient });
    const located = await this.locator.entries(repo, personId);
    // Each tenant filters by the labels the caller may see in its own query; consent is applied here.
    const [answers, consents] = await Promise.all([
      this.fanOut(located, (e) =>
        this.tenants.get(e.tenant, [type], [...forwarded, ...grant.searchFilters, ['patient', `Patient/${e.patientId}`], ['_count', String(MAX_COUNT)]], ctx.correlationId),
      ),
      this.consents(ctx, located),
    ]);
    const sharing = reach.sharing(consents);
    if (forwarded.some(([k, v]) => k === '_summary' && v === 'count') && !sharing.withheldNotice) {
      // Each tenant counted its own matches; the federated count is their sum (exact duplicates included).
      const total = answers.reduce((sum, a) => sum + ('bundle' in a ? (a.bundle.total ?? 0) : 0), 0);
      return { status: 200, headers: {}, body: bundle('searchset', this.warnings(answers), { total }) };
    }
    return this.respond(ctx, req, `${type}`, [], this.shared(ctx, answers, sharing), DEFAULT_COUNT, sharing.withheldNotice);
  }

  /** `Patient/{person}/$everything` on the central base: the platform person first, then every tenant's compartment. */
  async everything(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<FhirResponse> {
    const personId = req.path[1];
    const { person, answers, withheldNotice } = await this.gather(ctx, repo, personId, '$everything', req.query.filter(([k]) => k === '_type'));
    const golden: BundleEntry = { fullUrl: `${ctx.base}/Patient/${personId}`, resource: withSource(person, ctx.base), search: { mode: 'match' } };
    return this.respond(ctx, req, `Patient/${personId}/$everything`, [golden], answers, MAX_COUNT, withheldNotice);
  }

  /**
   * The golden record of a person and every holding tenant's compartment for them (the merged view's
   * input too), once the caller is found to have the person within reach; what their access or the
   * person's consent withholds is left out.
   */
  async gather(ctx: RequestContext, repo: Repository, personId: string, operation: string, types: [string, string][] = []): Promise<{ person: Resource; answers: TenantAnswer[]; withheldNotice?: string }> {
    const person = requireCurrent(await repo.read(ctx.tenant, 'Patient', personId), 'Patient', personId);
    const reach = await ctx.access.reach(personId, { interaction: operation, type: 'Patient', access: 'r' });
    const located = await this.locator.entries(repo, personId);
    const asked = types.length ? [...types, ['_type', 'Consent'] as [string, string]] : types;
    const answers = await this.fanOut(located, (e) => this.tenants.get(e.tenant, ['Patient', e.patientId, '$everything'], asked, ctx.correlationId));
    const sharing = reach.sharing(resourcesOf(answers).filter((r) => r.resourceType === 'Consent'));
    const shown = this.shared(ctx, answers, sharing, types.length ? new Set(['Patient', ...types.flatMap(([, v]) => v.split(','))]) : undefined);
    return { person: JSON.parse(person.content) as Resource, answers: shown, ...(sharing.withheldNotice ? { withheldNotice: sharing.withheldNotice } : {}) };
  }

  /** The person's Consent resources at every tenant holding records about them. */
  private async consents(ctx: RequestContext, located: LocatorEntry[]): Promise<Resource[]> {
    return resourcesOf(await this.fanOut(located, (e) => this.tenants.get(e.tenant, ['Consent'], [['patient', `Patient/${e.patientId}`], ['_count', String(MAX_COUNT)]], ctx.correlationId)));
  }

  /** Each answer with only what the caller may see of it: types they may read, labels, consent; `types` keeps to those asked for. */
  private shared(ctx: RequestContext, answers: TenantAnswer[], sharing: PersonAccess, types?: ReadonlySet<string>): TenantAnswer[] {
    const readGrant = readGrants(ctx);
    return answers.map((a) => {
      if (!('bundle' in a)) return a;
      const entry = (a.bundle.entry ?? []).filter((e) => {
        const r = e.resource;
        if (!r || e.search?.mode === 'outcome') return true;
        return (!types || types.has(r.resourceType)) && readGrant(r.resourceType) !== undefined && sharing.shows(r, a.entry.tenant);
      });
      return { entry: a.entry, bundle: { ...a.bundle, entry } };
    });
  }

  /** Each tenant's resources, with where they came from; and one warning per tenant left out. */
  sourced(answers: TenantAnswer[]): { sources: { tenant: string; base: string; entries: BundleEntry[] }[]; warnings: BundleEntryOut[] } {
    return {
      sources: answers.flatMap((a) => ('bundle' in a ? [{ tenant: a.entry.tenant, base: this.tenants.base(a.entry.tenant), entries: (a.bundle.entry ?? []).filter((e) => e.resource && e.search?.mode !== 'outcome') }] : [])),
      warnings: this.warnings(answers),
    };
  }

  private fanOut(located: LocatorEntry[], call: (entry: LocatorEntry) => Promise<Bundle>): Promise<TenantAnswer[]> {
    const limit = this.settings.tenantTimeoutMs;
    return Promise.all(
      located.map(async (entry): Promise<TenantAnswer> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<TenantAnswer>((resolve) => {
          timer = setTimeout(() => resolve({ entry, problem: `did not answer within ${limit} ms` }), limit);
        });
        const answered = call(entry).then(
          (b): TenantAnswer => ({ entry, bundle: b }),
          (err: unknown): TenantAnswer => ({ entry, problem: `failed: ${err instanceof Error ? err.message : String(err)}` }),
        );
        try {
          return await Promise.race([answered, late]);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** One warning entry per tenant that failed or was late. */
  private warnings(answers: TenantAnswer[]): BundleEntryOut[] {
    return answers.flatMap((a) =>
      'problem' in a ? [{ resource: outcome('warning', `Tenant ${a.entry.tenant} ${a.problem}; its records are missing from this result`, 'incomplete'), search: { mode: 'outcome' as const } }] : [],
    );
  }

  /** Merges the answers, drops exact duplicates, and cuts the requested page. */
  private respond(ctx: RequestContext, req: FhirRequest, path: string, first: BundleEntry[], answers: TenantAnswer[], defaultCount: number, withheldNotice?: string): FhirResponse {
    const seen = new Set<string>();
    const merged: BundleEntryOut[] = [];
    const warnings: BundleEntryOut[] = [];
    for (const item of [...first.map((e) => ({ e, tenant: undefined as string | undefined })), ...answers.flatMap((a) => ('bundle' in a ? (a.bundle.entry ?? []).map((e) => ({ e, tenant: a.entry.tenant })) : []))]) {
      const resource = item.e.resource;
      if (!resource) continue;
      if (item.e.search?.mode === 'outcome') {
        warnings.push({ resource: outcome('warning', `Tenant ${item.tenant ?? '?'}: ${describe(resource)}`), search: { mode: 'outcome' } });
        continue;
      }
      const { meta: _meta, ...content } = resource;
      const key = JSON.stringify(content);
      if (seen.has(key)) continue;
      seen.add(key);
      const base = item.tenant ? this.tenants.base(item.tenant) : ctx.base;
      const mode = item.e.search?.mode === 'include' ? 'include' : 'match';
      merged.push({ fullUrl: item.e.fullUrl ?? `${base}/${resource.resourceType}/${resource.id ?? ''}`, resource: item.tenant ? withSource(resource, base) : resource, search: { mode } });
    }
    warnings.push(...this.warnings(answers));
    if (withheldNotice) warnings.push({ resource: outcome('information', withheldNotice, 'suppressed'), search: { mode: 'outcome' } });
    const count = Math.min(Number(req.query.find(([k]) => k === '_count')?.[1] ?? defaultCount) || defaultCount, MAX_COUNT);
    const offset = Math.max(0, Number(req.query.find(([k]) => k === OFFSET)?.[1] ?? 0) || 0);
    const page = merged.slice(offset, offset + count);
    const kept = req.query.filter(([k]) => k !== OFFSET && k !== '_count');
    const link = [{ relation: 'self', url: `${ctx.base}/${path}?${queryString([...kept, ['_count', String(count)], [OFFSET, String(offset)]])}` }];
    if (offset + count < merged.length) link.push({ relation: 'next', url: `${ctx.base}/${path}?${queryString([...kept, ['_count', String(count)], [OFFSET, String(offset + count)]])}` });
    const total = merged.filter((e) => e.search?.mode !== 'include').length;
    return { status: 200, headers: {}, body: bundle('searchset', [...page, ...warnings], { total, link }) };
  }
}

/** Every resource the tenants that answered returned. */
function resourcesOf(answers: TenantAnswer[]): Resource[] {
  return answers.flatMap((a) => ('bundle' in a ? (a.bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : []));
}

function withSource(resource: Resource, source: string): Resource {
  return { ...resource, meta: { ...resource.meta, source } } as Resource;
}

function describe(resource: Resource): string {
  const issues = (resource as { issue?: { diagnostics?: string }[] }).issue ?? [];
  return issues.map((i) => i.diagnostics ?? '').join('; ') || 'reported a problem';
}
