// The merge rules of federated retrieval, with tenants that answer late or twice: a slow tenant is
// left out with a warning after the time limit, exact duplicates appear once, every entry is attributed.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../fhir/definitions.js';
import type { Bundle } from '../fhir/types.js';
import type { Repository } from '../store/index.js';
import type { LocatorEntry, RecordLocator } from './locator.js';
import { PERMIT_ALL } from '../access/index.js';
import { FederatedRetrieval } from './retrieval.js';
import type { TenantClient } from './tenant-client.js';

const flag = (id: string, text: string) => ({ resourceType: 'Flag', id, meta: { versionId: '1' }, status: 'active', code: { text }, subject: { reference: 'Patient/p' } });

/** Tenants answering from memory, one of them only after `delayMs`. */
class ScriptedTenants implements TenantClient {
  constructor(private readonly answers: Record<string, { delayMs: number; bundle: Bundle }>) {}
  base(tenant: string): string {
    return `http://scip.test/tenants/${tenant}/fhir`;
  }
  async get(tenant: string): Promise<Bundle> {
    const a = this.answers[tenant];
    await new Promise((r) => setTimeout(r, a.delayMs));
    return a.bundle;
  }
}

const located = (tenant: string): LocatorEntry => ({ tenant, patientId: 'p' });

describe('federated retrieval', () => {
  it('leaves out a late tenant with a warning, drops exact duplicates, and attributes every entry', async () => {
    const tenants = new ScriptedTenants({
      fast: { delayMs: 0, bundle: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: flag('a', 'Hoist') }, { resource: flag('a', 'Hoist'), search: { mode: 'include' } }, { resource: flag('b', 'Diabetic') }] } as Bundle },
      slow: { delayMs: 2000, bundle: { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: flag('c', 'Late') }] } as Bundle },
    });
    const locator = { entries: async () => [located('fast'), located('slow')] } as unknown as RecordLocator;
    const retrieval = new FederatedRetrieval(loadDefinitions(), locator, tenants, { centralTenant: 'platform', tenantTimeoutMs: 50 });
    const started = performance.now();
    const res = await retrieval.search(
      { tenant: 'platform', base: 'http://scip.test/fhir', correlationId: 'c', principal: { clientId: 'x', roles: [], scopes: [] }, access: PERMIT_ALL },
      { method: 'GET', path: ['Flag'], query: [['patient', 'Patient/person-1']], headers: {} },
      {} as Repository,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    const body = res.body as { total: number; entry: { resource: { resourceType: string; id?: string; meta?: { source?: string }; issue?: { diagnostics: string }[] } }[] };
    expect(res.status).toBe(200);
    expect(body.total).toBe(2);
    expect(body.entry.filter((e) => e.resource.resourceType === 'Flag').map((e) => [e.resource.id, e.resource.meta?.source])).toEqual([
      ['a', 'http://scip.test/tenants/fast/fhir'],
      ['b', 'http://scip.test/tenants/fast/fhir'],
    ]);
    const warnings = body.entry.filter((e) => e.resource.resourceType === 'OperationOutcome');
    expect(warnings.map((w) => w.resource.issue?.[0].diagnostics)).toEqual(['Tenant slow did not answer within 50 ms; its records are missing from this result']);
  });
});
