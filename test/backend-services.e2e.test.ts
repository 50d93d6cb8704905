// SMART Backend Services (private_key_jwt) over HTTP on both databases: a client registered with its
// public JWK Set obtains a token with a signed assertion; a replayed, expired, too long-lived,
// wrongly addressed or wrongly signed assertion is refused with invalid_client.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerClient } from '../src/access/index.js';
import { testDatabases } from './support/databases.js';
import { PUBLIC_URL, suitePlatform } from './support/platform.js';

const CLIENT = 'acme-backend';
const TOKEN_URL = `${PUBLIC_URL}/oauth2/token`;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe.each(await testDatabases())('SMART Backend Services on $name', (database) => {
  const t = suitePlatform(database);
  let registeredKey: CryptoKey;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const registered = await generateKeyPair('RS384');
    registeredKey = registered.privateKey;
    strangerKey = (await generateKeyPair('RS384')).privateKey;
    const client = await registerClient(t.platform.db, {
      clientId: CLIENT,
      tenant: 'sunrise-care',
      roles: ['system'],
      jwks: { keys: [{ ...(await exportJWK(registered.publicKey)), kid: 'k1', alg: 'RS384' }] },
    });
    expect(client.clientSecret).toBeUndefined();
  });

  const assertion = (claims: { aud?: string; exp?: number; jti?: string } = {}, signWith: CryptoKey = registeredKey) =>
    new SignJWT({ jti: claims.jti ?? randomUUID() })
      .setProtectedHeader({ alg: 'RS384', kid: 'k1', typ: 'JWT' })
      .setIssuer(CLIENT)
      .setSubject(CLIENT)
      .setAudience(claims.aud ?? TOKEN_URL)
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 240)
      .sign(signWith);
  const ask = (jwt: string) =>
    t.call('POST', '/oauth2/token', {
      as: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.cruds', client_assertion_type: JWT_BEARER, client_assertion: jwt }).toString(),
    });

  it('issues a token for a valid assertion, and the token opens the client tenant', async () => {
    const res = await ask(await assertion());
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', scope: 'system/*.cruds' });
    const fhir = await t.call('GET', '/tenants/sunrise-care/fhir/Patient?_count=1', { headers: { authorization: `Bearer ${res.json.access_token as string}` } });
    expect(fhir.status).toBe(200);
    const discovery = await t.call('GET', '/.well-known/smart-configuration', { as: null });
    expect(discovery.json.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  it('refuses a replayed, expired, long-lived, misaddressed or foreign-signed assertion', async () => {
    const once = await assertion();
    expect((await ask(once)).status).toBe(200);
    const replay = await ask(once);
    expect(replay.status).toBe(401);
    expect(replay.json).toMatchObject({ error: 'invalid_client', error_description: expect.stringMatching(/replayed/) });
    const now = Math.floor(Date.now() / 1000);
    for (const [jwt, why] of [
      [await assertion({ exp: now - 120 }), /exp/],
      [await assertion({ exp: now + 3600 }), /more than 300 s ahead/],
      [await assertion({ aud: 'https://elsewhere.example/token' }), /aud/],
      [await assertion({}, strangerKey), /signature/],
    ] as const) {
      const res = await ask(jwt);
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('invalid_client');
      expect(res.json.error_description).toMatch(why);
    }
    const incomplete = await t.call('POST', '/oauth2/token', { as: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_assertion=${await assertion()}` });
    expect(incomplete.status).toBe(400);
    expect(incomplete.json.error).toBe('invalid_request');
  });

  it('refuses to register a private key or an empty key set', async () => {
    const { privateKey } = await generateKeyPair('ES384', { extractable: true });
    await expect(registerClient(t.platform.db, { clientId: 'leaky', roles: ['system'], jwks: { keys: [await exportJWK(privateKey)] } })).rejects.toThrow(/private key/);
    await expect(registerClient(t.platform.db, { clientId: 'empty', roles: ['system'], jwks: { keys: [] } })).rejects.toThrow(/at least one key/);
  });
});
