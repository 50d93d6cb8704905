// End-to-end authentication and tenant isolation: client credentials, bearer tokens, and a tenant's
// client confined to its own data provision layer.
import { describe, expect, it } from 'vitest';
import { rotateSigningKey, SigningKeyRing } from '../src/access/index.js';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';
import type { TestPlatform } from './support/platform.js';

describe.each(await testDatabases())('authentication and tenant isolation on $name', (database) => {
  const t = suitePlatform(database);

  const form = (body: Record<string, string>, headers: Record<string, string> = {}): ReturnType<TestPlatform['call']> =>
    t.call('POST', '/oauth2/token', { payload: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, as: null });
  const secretOf = (clientId: string): string => t.platform.devCredentials?.clients.find((c) => c.clientId === clientId)?.clientSecret as string;

  it('issues tokens by client_secret_post and client_secret_basic', async () => {
    const id = 'sunrise-care-system';
    const post = await form({ grant_type: 'client_credentials', client_id: id, client_secret: secretOf(id) });
    expect(post.status).toBe(200);
    expect(post.json.token_type).toBe('Bearer');
    expect(post.json.expires_in).toBe(3600);
    const basic = await form({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from(`${id}:${secretOf(id)}`).toString('base64')}` });
    expect(basic.status).toBe(200);
    const fhir = await t.call('GET', '/tenants/sunrise-care/fhir/Patient', { headers: { authorization: `Bearer ${basic.json.access_token}` } });
    expect(fhir.status).toBe(200);
  });

  it('refuses wrong secrets, unknown clients and other grants with an OperationOutcome and an OAuth error', async () => {
    const wrong = await form({ grant_type: 'client_credentials', client_id: 'sunrise-care-system', client_secret: 'guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    expect(wrong.json.resourceType).toBe('OperationOutcome');
    expect((await form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' })).status).toBe(401);
    const grant = await form({ grant_type: 'password', client_id: 'sunrise-care-system', client_secret: secretOf('sunrise-care-system') });
    expect(grant.status).toBe(400);
    expect(grant.json.error).toBe('unsupported_grant_type');
  });

  it('requires a valid bearer token on every FHIR path except metadata', async () => {
    for (const url of ['/fhir/Patient', '/tenants/sunrise-care/fhir/Patient', '/tenants/sunrise-care/fhir/Patient/1', '/tenants/sunrise-care/fhir/_history']) {
      const none = await t.call('GET', url, { as: null });
      expect({ url, status: none.status }).toEqual({ url, status: 401 });
      expect(none.json.resourceType).toBe('OperationOutcome');
      expect(none.headers['www-authenticate']).toBeDefined();
      const forged = await t.call('GET', url, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } });
      expect(forged.status).toBe(401);
    }
    expect((await t.call('POST', '/tenants/sunrise-care/fhir', { as: null, body: { resourceType: 'Bundle', type: 'batch' } })).status).toBe(401);
    expect((await t.call('GET', '/fhir/metadata', { as: null })).status).toBe(200);
    expect((await t.call('GET', '/.well-known/smart-configuration', { as: null })).json.token_endpoint).toBe('http://scip.test/oauth2/token');
    expect((await t.call('GET', '/oauth2/jwks', { as: null })).json.keys[0].kid).toBeDefined();
  });

  it("confines a tenant's client to its own store", async () => {
    const mine = await t.call('POST', '/tenants/sunrise-care/fhir/Patient', { body: { resourceType: 'Patient', name: [{ family: 'Private' }] } });
    expect(mine.status).toBe(201);
    const id = mine.json.id;
    const other = 'meadow-homecare-system';
    expect((await t.call('GET', `/tenants/sunrise-care/fhir/Patient/${id}`, { as: other })).status).toBe(403);
    expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient?family=private', { as: other })).status).toBe(403);
    // Through its own base the other tenant cannot see the resource: not by id, search, include or chain.
    const own = '/tenants/meadow-homecare/fhir';
    expect((await t.call('GET', `${own}/Patient/${id}`, { as: other })).status).toBe(404);
    expect((await t.call('GET', `${own}/Patient?family=private`, { as: other })).json.entry).toBeUndefined();
    await t.call('POST', `${own}/Observation`, { body: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${id}` } }, as: other });
    const include = await t.call('GET', `${own}/Observation?_include=Observation:subject`, { as: other });
    expect(include.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include')).toEqual([]);
    expect((await t.call('GET', `${own}/Observation?subject.family=private`, { as: other })).json.entry).toBeUndefined();
    expect((await t.call('GET', `${own}/Patient/${id}/_history`, { as: other })).status).toBe(404);
    expect((await t.call('GET', `/tenants/no-such-tenant/fhir/Patient`, { as: 'platform-admin' })).status).toBe(404);
  });

  it('lets only platform admins write to the central store', async () => {
    expect((await t.call('POST', '/fhir/Patient', { body: { resourceType: 'Patient' } })).status).toBe(403);
    expect((await t.call('POST', '/fhir/Patient', { body: { resourceType: 'Patient' }, as: 'platform-admin' })).status).toBe(201);
    expect((await t.call('GET', '/fhir/Patient')).status).toBe(200);
  });

  it('does not reveal whether a tenant exists to an unauthenticated caller', async () => {
    expect((await t.call('GET', '/tenants/no-such-tenant/fhir/Patient', { as: null })).status).toBe(401);
    expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient', { as: null })).status).toBe(401);
  });

  it('answers malformed percent-encoding in the path with 400', async () => {
    const res = await t.call('GET', '/tenants/sunrise-care/fhir/Patient/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.json.resourceType).toBe('OperationOutcome');
  });

  it('serves Prometheus metrics to platform admins only', async () => {
    await t.call('GET', '/tenants/sunrise-care/fhir/Patient');
    expect((await t.call('GET', '/metrics', { as: null })).status).toBe(401);
    expect((await t.call('GET', '/metrics')).status).toBe(403);
    const metrics = await t.call('GET', '/metrics', { as: 'platform-admin' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^scip_change_outbox_backlog \d+$/m);
    expect(metrics.text).toMatch(/scip_http_requests_total\{method="GET",route="\/tenants\/:tenant\/fhir\/\*",status="200"\} [1-9]/);
    expect(metrics.text).toContain('scip_http_request_duration_seconds_bucket');
    expect(metrics.text).not.toMatch(/route="[^"]*Patient\/[0-9a-f-]{36}/);
  });

  it('rotates the signing key: new tokens carry the new key, tokens signed before keep working until they expire', async () => {
    const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
    const issue = async (): Promise<string> => (await form({ grant_type: 'client_credentials', client_id: 'sunrise-care-system', client_secret: secretOf('sunrise-care-system') })).json.access_token;
    const before = await issue();
    const kid = await rotateSigningKey(t.platform.db);
    expect(kid).not.toBe(kidOf(before));
    // Another node's rotation is met through a token signed with the new key: reloaded then.
    await t.platform.keys.refresh();
    const after = await issue();
    expect(kidOf(after)).toBe(kid);
    const published = (await t.call('GET', '/oauth2/jwks', { as: null })).json.keys.map((k: { kid: string }) => k.kid);
    expect(published).toEqual([kid, kidOf(before)]);
    for (const token of [before, after]) {
      expect((await t.call('GET', '/tenants/sunrise-care/fhir/Patient?_count=1', { as: null, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
    // Past the grace period (the longest token lifetime) the retired key no longer verifies anything.
    const ring = await SigningKeyRing.load(t.platform.db, { maxAgeSeconds: 86_400, graceSeconds: 0 });
    expect(ring.publicJwks.map((k) => k.kid)).toEqual([kid]);
    expect(await ring.verificationKey(kidOf(before))).toBeUndefined();
    // A key past its lifetime is replaced when a node loads the set.
    const aged = await SigningKeyRing.load(t.platform.db, { maxAgeSeconds: 0, graceSeconds: 600 });
    expect(aged.current.kid).not.toBe(kid);
    expect(aged.publicJwks.map((k) => k.kid)).toContain(kid);
  });

  it('echoes the correlation id', async () => {
    const res = await t.call('GET', '/fhir/metadata', { as: null, headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
  it('manages clients through the admin API: create (secret shown once), list without secrets, disable', async () => {
    const json = { 'content-type': 'application/json' };
    expect((await t.call('POST', '/admin/clients', { body: { clientId: 'acme-portal', tenant: 'sunrise-care' }, headers: json })).status).toBe(403);
    const created = await t.call('POST', '/admin/clients', { body: { clientId: 'acme-portal', tenant: 'sunrise-care', roles: ['system'] }, headers: json, as: 'platform-admin' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.location).toBe('http://scip.test/admin/clients/acme-portal');
    const secret = created.json.clientSecret as string;
    expect(secret.length).toBeGreaterThan(30);
    expect((await form({ grant_type: 'client_credentials', client_id: 'acme-portal', client_secret: secret })).status).toBe(200);
    const bad = await t.call('POST', '/admin/clients', { body: { clientId: 'x-bad', roles: 'system' }, headers: json, as: 'platform-admin' });
    expect(bad.status).toBe(400);
    expect(bad.json.issue[0].expression).toEqual(['roles']);
    expect((await t.call('POST', '/admin/clients', { body: { clientId: 'acme-portal' }, headers: json, as: 'platform-admin' })).status).toBe(409);
    const reserved = await t.call('POST', '/admin/clients', { body: { clientId: 'platform-federation' }, headers: json, as: 'platform-admin' });
    expect(reserved.status).toBe(400);
    expect(reserved.json.issue[0].diagnostics).toMatch(/reserved/);

    const listed = await t.call('GET', '/admin/clients', { as: 'platform-admin' });
    const acme = listed.json.find((c: { clientId: string }) => c.clientId === 'acme-portal');
    expect(acme).toMatchObject({ tenant: 'sunrise-care', roles: ['system'], disabled: false, authentication: 'client_secret' });
    expect(listed.text).not.toContain('scrypt$');

    const disabled = await t.call('PATCH', '/admin/clients/acme-portal', { body: { disabled: true }, headers: json, as: 'platform-admin' });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.json.disabled).toBe(true);
    expect((await form({ grant_type: 'client_credentials', client_id: 'acme-portal', client_secret: secret })).status).toBe(401);
    expect((await t.call('PATCH', '/admin/clients/nobody', { body: { disabled: true }, headers: json, as: 'platform-admin' })).status).toBe(404);
  });
});
