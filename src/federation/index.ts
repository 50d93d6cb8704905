// Federation: the record locator and the change feed that registers Patients with the person index
// (identity/) and keeps the locator current, registration requests, and the router that answers the
// central base's person-scoped reads by asking the tenants (in process, or their DPL processes over HTTP).
import type { Logger } from 'pino';
import type { Definitions } from '../fhir/definitions.js';
import type { OperationDescriptor } from '../rest/operations.js';
import type { Patient } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import { bundle } from '../rest/bundle.js';
import type { BundleEntryOut } from '../rest/bundle.js';
import { parameter, parameterPath } from '../rest/parameters.js';
import { outcome, requireCurrent } from '../rest/response.js';
import { patientEverything } from '../rest/interactions/everything.js';
import { createRouter } from '../rest/router.js';
import type { FhirRouter } from '../rest/router.js';
import type { RestServices } from '../rest/types.js';
import type { Repository } from '../store/index.js';
import { ChangeFeed, feeds, OutboxSource } from './change-feed.js';
import type { WriteSignal } from './change-feed.js';
import type { Feed } from './change-feed.js';
import type { ChangeStream } from './change-stream.js';
import { relayChanges, relaySettlements } from './change-relay.js';
import { ChangeDigest, settleAtDpl, settleHere } from './digest.js';
import { FederatedRetrieval } from './retrieval.js';
import { mergedView } from './merged-view.js';
import { InProcessTenants } from './tenant-client.js';
import type { TenantClient } from './tenant-client.js';
import { RecordLocator } from './locator.js';
import { PersonIndex } from '../identity/index.js';
import type { MatchModel } from '../identity/index.js';
import type { FederationSettings } from './settings.js';

export { LOCATOR_SYSTEM, RecordLocator, TENANT_SYSTEM } from './locator.js';
export type { LocatedRecord, LocatorEntry } from './locator.js';
export { registrationView, requestRegistration } from './registrations.js';
export type { RegistrationView } from './registrations.js';
export type { FederationSettings } from './settings.js';
export { ChangeFeed, DestinationUnavailable, feeds, OutboxSource, WriteSignal } from './change-feed.js';
export { ChangeDigest, settleAtDpl, settleHere } from './digest.js';
export { relayChanges, relaySettlements } from './change-relay.js';
export type { Feed } from './change-feed.js';
export { ChangeStream } from './change-stream.js';
export { FederatedRetrieval } from './retrieval.js';
export { HttpTenants, InProcessTenants } from './tenant-client.js';
export type { TenantClient, TokenIssuer } from './tenant-client.js';

export interface Federation {
  index: PersonIndex;
  locator: RecordLocator;
  /** Everything this process runs in the background to move changes along (nothing, for a DPL sharing the database). */
  feed: Feed;
}

/**
 * Lanes of the outbox feed. A batch is a string of dependent statements; several lanes keep both the
 * database and this process busy while each waits (digesting a backlog of 5,000 registrations: 1 lane
 * 653/s, 2 lanes 686/s, 4 lanes 786/s; docs/performance.md). Safe in parallel: a resource's versions
 * share a lane, registrations that could match lock their blocking keys, and pointer writes lock their row.
 */
const FEED_LANES = 4;

/** Which changes this process moves, and how (docs/federation.md). */
export type FeedRole =
  | { role: 'all-in-one' }
  /** Digests the outbox of its database, and the stream when DPLs with their own store publish to it. */
  | { role: 'central'; stream?: ChangeStream }
  /** With a stream, relays its tenants' changes to it; without, leaves them in the shared outbox. */
  | { role: 'dpl'; tenants: readonly string[]; stream?: ChangeStream };

/** `writes`: this process's writes, told by the store (repository `published`), so idle outbox lanes look seldom. */
export async function createFederation(repo: Repository, defs: Definitions, settings: FederationSettings, log: Logger, model: MatchModel, topology: FeedRole, writes?: WriteSignal): Promise<Federation> {
  const locator = new RecordLocator(defs, settings);
  // Merges and unmerges move records between persons: their locator pointers follow.
  const index = new PersonIndex({ ...settings, model, relinked: (tx, tenant, patientId, personId) => locator.repoint(tx, tenant, patientId, personId) });
  const parts: Feed[] = [];
  if (topology.role !== 'dpl') {
    const digest = new ChangeDigest(index, locator, settings, settleHere);
    for (let lane = 0; lane < FEED_LANES; lane++) parts.push(new ChangeFeed(repo, new OutboxSource(repo, lane, FEED_LANES, undefined, writes), digest.apply, log.child({ lane })));
  }
  const stream = 'stream' in topology ? topology.stream : undefined;
  if (topology.role === 'central' && stream) {
    const digest = new ChangeDigest(index, locator, settings, settleAtDpl);
    for (const [lane, source] of (await stream.changes(repo, FEED_LANES)).entries()) parts.push(new ChangeFeed(repo, source, digest.apply, log.child({ source: 'stream', lane })));
    parts.push(relaySettlements(repo, stream, log.child({ relay: 'settlements' })));
  }
  if (topology.role === 'dpl' && stream) {
    parts.push(new ChangeFeed(repo, new OutboxSource(repo, 0, 1, topology.tenants, writes), relayChanges(stream), log.child({ relay: topology.tenants })));
    for (const tenant of topology.tenants) parts.push(stream.settlements(tenant, (s) => repo.federation.settleRegistrations([s])));
  }
  return { index, locator, feed: feeds(parts) };
}

/**
 * The router every base uses: the REST engine with `Patient/[id]/$everything` (a tenant's compartment on
 * a tenant base; the person's records from every tenant on the central base), `Patient/[id]/$merged-view`
 * (the central base: merged-view.ts), and the central base's
 * person-scoped searches (`{Type}?patient={person}`) answered by fanning out to the tenants: through the
 * engine itself (all-in-one), or `remoteTenants` (the DPLs over HTTP, distributed).
 */
export function createFederatedRouter(
  rest: RestServices,
  operations: readonly OperationDescriptor[],
  repo: Repository,
  locator: RecordLocator,
  settings: FederationSettings & { tenantTimeoutMs: number },
  remoteTenants?: TenantClient,
): { router: FhirRouter; retrieval: FederatedRetrieval } {
  const tenants = remoteTenants ?? new InProcessTenants(() => engine, repo, settings.tenantBase);
  const retrieval = new FederatedRetrieval(rest.defs, locator, tenants, settings);
  const everything: OperationDescriptor = {
    name: 'everything',
    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
    levels: ['instance'],
    types: ['Patient'],
    methods: ['GET'],
    affectsState: false,
    handler: (ctx, req, r, services) => (ctx.tenant === settings.centralTenant ? retrieval.everything(ctx, req, r) : patientEverything(ctx, req, r, services)),
  };
  const mergedViewOperation: OperationDescriptor = {
    name: 'merged-view',
    definition: 'https://openscip.org/fhir/OperationDefinition/Patient-merged-view',
    levels: ['instance'],
    types: ['Patient'],
    methods: ['GET'],
    affectsState: false,
    handler: async (ctx, req, r) => {
      if (ctx.tenant !== settings.centralTenant) throw new FhirError('unsupported', { diagnostics: '$merged-view runs on the central base /fhir, for a platform person' });
      const personId = req.path[1];
      const { person, answers, withheldNotice } = await retrieval.gather(ctx, r, personId, '$merged-view');
      const { sources, warnings } = retrieval.sourced(answers);
      const notice: BundleEntryOut[] = withheldNotice ? [{ resource: outcome('information', withheldNotice, 'suppressed'), search: { mode: 'outcome' } }] : [];
      const entries = [...mergedView(`${ctx.base}/Patient/${personId}`, person as Patient, sources), ...warnings, ...notice];
      return { status: 200, headers: {}, body: bundle('searchset', entries, { total: entries.filter((e) => e.search?.mode === 'match').length }) };
    },
  };
  const breakGlass: OperationDescriptor = {
    name: 'break-glass',
    definition: 'https://openscip.org/fhir/OperationDefinition/Patient-break-glass',
    levels: ['instance'],
    types: ['Patient'],
    methods: ['POST'],
    // Changes no resource: it opens a grant (access/), which the policy's break-glass section governs.
    affectsState: false,
    decidesOwnAccess: true,
    handler: async (ctx, req, r) => {
      if (ctx.tenant !== settings.centralTenant) throw new FhirError('unsupported', { diagnostics: '$break-glass runs on the central base /fhir, for a platform person' });
      const personId = req.path[1];
      requireCurrent(await r.read(ctx.tenant, 'Patient', personId), 'Patient', personId);
      const reason = parameter(req, 'reason')?.valueString;
      if (!reason) throw new FhirError('invalid', { diagnostics: "Breaking the glass needs parameter 'reason' (valueString): why this person's record is needed now", expression: parameterPath('reason') });
      const minutes = parameter(req, 'minutes')?.valueInteger;
      const grant = await ctx.access.breakGlass(personId, reason, minutes);
      return {
        status: 200,
        headers: {},
        body: { resourceType: 'Parameters', parameter: [{ name: 'grant', valueString: grant.id }, { name: 'expires', valueInstant: grant.expiresAt }, { name: 'purpose', valueCode: 'break-glass' }] },
      };
    },
  };
  const engine = createRouter(rest, [...operations, everything, mergedViewOperation, breakGlass]);
  const router: FhirRouter = {
    operations: engine.operations,
    handle: async (ctx, req, r) => {
      if (retrieval.isFederatedSearch(ctx, req)) return retrieval.search(ctx, req, r);
      // A person's own record on the central base is within reach only of those the policy lets reach them.
      const [type, id, next] = req.path;
      const personRead = ctx.tenant === settings.centralTenant && type === 'Patient' && id && !/^[$_]/.test(id) && (req.method === 'GET' || req.method === 'HEAD') && !next?.startsWith('$');
      if (personRead) {
        try {
          await ctx.access.reach(id, { interaction: next === '_history' && req.path.length === 3 ? 'history' : 'read', type, access: 'r' });
        } catch (err) {
          // An unknown person is the engine's 404 to give; the person is read only when the caller is refused.
          if (await r.read(ctx.tenant, type, id)) throw err;
        }
      }
      return engine.handle(ctx, req, r);
    },
  };
  return { router, retrieval };
}
