// Tokens from an external identity provider (configured issuer + JWKS URL, served here by a real HTTP
// server): accepted for the tenant they name, their roles mapped to ours (unmapped ones dropped);
// another issuer, another audience or another key is refused.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { freePort } from './support/net.js';
import { startTestPlatform } from './support/platform.js';
import type { TestPlatform } from './support/platform.js';

const ISSUER = 'https://idp.council.example';
const AUDIENCE = 'openscip';

describe.each(await testDatabases())('external identity provider on $name', (database) => {
  let t: TestPlatform;
  let idp: Server;
  let signingKey: CryptoKey;
  let foreignKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    foreignKey = (await generateKeyPair('RS256')).privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] });
    const port = await freePort();
    idp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => idp.listen(port, '127.0.0.1', resolve));
    t = await startTestPlatform(database, {
      externalIdp: { issuer: ISSUER, jwksUrl: `http://127.0.0.1:${port}/jwks`, audience: AUDIENCE, roleClaim: 'groups', tenantClaim: 'org', organisationClaim: 'ods', roles: new Map([['sc-admins', 'platform-admin'], ['carers', 'care-worker']]) },
    });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => idp?.close(r));
  });

  const token = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; key?: CryptoKey } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setSubject('jane.carer')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(opts.key ?? signingKey);
  const get = async (path: string, jwt: string) => t.call('GET', path, { as: null, headers: { authorization: `Bearer ${jwt}` } });

  it('accepts the provider’s token for the tenant it names, with its roles mapped', async () => {
    const carer = await token({ org: 'sunrise-care', groups: ['carers', 'canteen'], scope: 'user/*.rs' });
    expect((await get('/tenants/sunrise-care/fhir/Patient?_count=1', carer)).status).toBe(200);
    // SMART scopes bound what the roles allow: no scope, no data.
    const unscoped = await get('/tenants/sunrise-care/fhir/Patient?_count=1', await token({ org: 'sunrise-care', groups: ['carers'] }));
    expect(unscoped.status).toBe(403);
    expect(unscoped.json.issue[0].diagnostics).toMatch(/scopes \(none\) do not allow 's' on Patient/);
    expect((await get('/tenants/meadow-homecare/fhir/Patient?_count=1', carer)).status).toBe(403);
    // 'canteen' maps to nothing, 'carers' is no admin role.
    expect((await get('/admin/tenants', carer)).status).toBe(403);
    const admin = await token({ groups: 'sc-admins' });
    expect((await get('/admin/tenants', admin)).status).toBe(200);
  });

  it('refuses another issuer, another audience and a key the provider does not publish', async () => {
    for (const jwt of [await token({ org: 'sunrise-care' }, { iss: 'https://evil.example' }), await token({ org: 'sunrise-care' }, { aud: 'someone-else' }), await token({ org: 'sunrise-care' }, { key: foreignKey })]) {
      const res = await get('/tenants/sunrise-care/fhir/Patient?_count=1', jwt);
      expect(res.status).toBe(401);
      expect(res.json.resourceType).toBe('OperationOutcome');
    }
  });
});
