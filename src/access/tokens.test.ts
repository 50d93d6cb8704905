import { describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { FhirError } from '../fhir/errors.js';
import type { SigningKeys } from './signing-keys.js';
import { createTokenService } from './tokens.js';

async function keys(): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { current: { kid: 'k1', key: privateKey }, publicJwks: [], verificationKey: async (kid) => (kid === 'k1' ? publicKey : undefined), refresh: async () => undefined };
}

describe('token service', () => {
  it('issues tokens it verifies back to the same principal', async () => {
    const tokens = createTokenService(await keys(), { issuer: 'https://scip', ttlSeconds: 60 });
    const principal = { clientId: 'c1', tenant: 't1', roles: ['system'], scopes: ['system/*.cruds'] };
    const { accessToken } = await tokens.issue(principal, 'https://scip');
    expect(await tokens.verify(accessToken)).toEqual(principal);
    expect(await tokens.verify(accessToken)).toEqual(principal);
  });

  it('refuses expired, foreign-issuer, unsigned and altered tokens', async () => {
    const k = await keys();
    const tokens = createTokenService(k, { issuer: 'https://scip', ttlSeconds: 60 });
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://scip').setSubject('c').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(k.current.key);
    await expect(tokens.verify(expired)).rejects.toThrow(/expired/);
    const foreign = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://evil').setSubject('c').setExpirationTime('1m').sign(k.current.key);
    await expect(tokens.verify(foreign)).rejects.toBeInstanceOf(FhirError);
    await expect(tokens.verify('not-a-jwt')).rejects.toBeInstanceOf(FhirError);
    const { accessToken } = await tokens.issue({ clientId: 'c', roles: [], scopes: [] }, 'x');
    const [h, p, s] = accessToken.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['platform-admin'] })).toString('base64url')}.${s}`;
    await expect(tokens.verify(altered)).rejects.toThrow(/not valid/);
  });
});
