// A DPL with its own store verifies tokens with the central platform's published keys: a key the set
// holds verifies, one it does not is no key (401 follows), and a set that cannot be read is a 503, not
// a wrong-token answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirError } from '../fhir/errors.js';
import { publishedSigningKeys } from './signing-keys.js';

describe('published signing keys', () => {
  const server = createServer();
  let url: URL;
  beforeAll(async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    server.on('request', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/jwks`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('finds a published key, and no key for a kid the set does not hold', async () => {
    const keys = publishedSigningKeys(url);
    expect(await keys.verificationKey('k1')).toBeDefined();
    expect(await keys.verificationKey('k2')).toBeUndefined();
  });

  it('answers 503 when the set cannot be read', async () => {
    const unreachable = publishedSigningKeys(new URL('http://127.0.0.1:9/oauth2/jwks'));
    const failure = await unreachable.verificationKey('k1').catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(FhirError);
    expect((failure as FhirError).status).toBe(503);
  });
});
