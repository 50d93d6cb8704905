// The platform's token-signing keys: generated on first start (never committed), kept in the database
// so that every node of a cluster signs and verifies with the same set, published at /oauth2/jwks.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK, CryptoKey } from 'jose';
import type { Database } from '../store/index.js';
import { platform } from '../store/index.js';

export const SIGNING_ALGORITHM = 'ES256';

export interface SigningKeys {
  current: { kid: string; key: CryptoKey };
  /** Public keys of every active key, for verification and the JWKS endpoint. */
  publicJwks: JWK[];
  verificationKey(kid: string | undefined): Promise<CryptoKey | undefined>;
}

export async function loadSigningKeys(db: Database): Promise<SigningKeys> {
  let records = await platform.activeSigningKeys(db);
  if (records.length === 0) {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const kid = randomUUID();
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7245032)');
      if ((await platform.activeSigningKeys(tx)).length === 0) {
        await platform.insertSigningKey(tx, { kid, algorithm: SIGNING_ALGORITHM, privateJwk: { ...(await exportJWK(privateKey)) }, publicJwk: { ...(await exportJWK(publicKey)) } });
      }
    });
    records = await platform.activeSigningKeys(db);
  }
  const newest = records[0];
  const publicJwks = records.map((r) => ({ ...(r.publicJwk as JWK), kid: r.kid, alg: r.algorithm, use: 'sig' }));
  const verifiers = new Map<string, CryptoKey>();
  for (const r of records) verifiers.set(r.kid, (await importJWK(r.publicJwk as JWK, r.algorithm)) as CryptoKey);
  return {
    current: { kid: newest.kid, key: (await importJWK(newest.privateJwk as JWK, newest.algorithm)) as CryptoKey },
    publicJwks,
    verificationKey: async (kid) => (kid ? verifiers.get(kid) : undefined),
  };
}
