// Abuse limits over HTTP: a client over its rate gets 429 with Retry-After and an OperationOutcome
// (and the refusal is audited), other clients are unaffected; the token endpoint is limited per address.
import { beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_INTERNAL_CLIENT } from '../src/fhir/context.js';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';
import type { TestPlatform } from './support/platform.js';

describe.each(await testDatabases())('rate limits on $name', (database) => {
  const t = suitePlatform(database, { rateLimitPerSecond: 5, tokenRateLimitPerSecond: 3 });
  beforeAll(async () => {
    // Tokens first: the test's own token requests must not spend the token endpoint's budget below.
    await t.token('sunrise-care-system');
    await t.token('meadow-homecare-system');
    await new Promise((r) => setTimeout(r, 2100));
  });

  it('answers 429 with Retry-After once a client is over its rate, and only that client', async () => {
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<TestPlatform['call']>> | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await t.call('GET', '/tenants/sunrise-care/fhir/Patient?_count=1');
      statuses.push(res.status);
      if (res.status === 429) throttled ??= res;
    }
    // A burst of twice the rate goes through; then the bucket is empty (20 requests outrun any refill).
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(throttled?.headers['retry-after']).toBe('1');
    expect(throttled?.json.issue[0]).toMatchObject({ code: 'throttled' });
    expect((await t.call('GET', '/tenants/meadow-homecare/fhir/Patient?_count=1', { as: 'meadow-homecare-system' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient?_count=1')).status).toBe(200);
  });

  it("does not limit the platform's own processes calling one another", async () => {
    const { accessToken } = await t.platform.tokens.issue({ clientId: PLATFORM_INTERNAL_CLIENT, roles: ['platform-admin'], scopes: ['system/*.rs'] }, 'http://scip.test');
    for (let i = 0; i < 20; i++) {
      expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient?_count=1', { as: null, headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    }
  });

  it('limits token requests per address before checking any secret', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await t.call('POST', '/oauth2/token', { as: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=client_credentials&client_id=sunrise-care-system&client_secret=guess' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 6).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
  });
});
