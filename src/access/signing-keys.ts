// The platform's token-signing keys: generated on first start (never committed), kept in the database
// so that every node of a cluster signs and verifies with the same set, published at /oauth2/jwks, and
// rotated — by `scip keys rotate`, or by any node once the signing key is older than its lifetime. A
// retired key keeps verifying (and stays published) while tokens it signed may still be alive. Each node
// picks up another's rotation when it meets a token signed with a key it does not know, and rechecks
// the set every minute.
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK, CryptoKey } from 'jose';
import { FhirError } from '../fhir/errors.js';
import type { Database, SigningKeyRecord } from '../store/index.js';
import { platform } from '../store/index.js';
import { Refreshed } from './refreshed.js';

export const SIGNING_ALGORITHM = 'ES256';
const RECHECK_MS = 60_000;
/** An unknown `kid` reloads the set at most this often (a flood of forged kids cannot hammer the database). */
const UNKNOWN_KID_RELOAD_MS = 5_000;
const INSTALL_LOCK = 7245032;

export interface SigningKeys {
  current: { kid: string; key: CryptoKey };
  /** Public keys of every active key, for verification and the JWKS endpoint. */
  publicJwks: JWK[];
  verificationKey(kid: string | undefined): Promise<CryptoKey | undefined>;
  /** Picks up keys rotated elsewhere now, rather than when next checked. */
  refresh(): Promise<void>;
}

export interface KeyLifetimes {
  /** How long a key signs before it is replaced. */
  maxAgeSeconds: number;
  /** How long a retired key still verifies: at least the longest token lifetime. */
  graceSeconds: number;
}

interface LoadedSet {
  current: { kid: string; key: CryptoKey };
  publicJwks: JWK[];
  verifiers: Map<string, CryptoKey>;
}

async function newKeyRecord(): Promise<Omit<SigningKeyRecord, 'createdAt' | 'retired'>> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  return { kid: randomUUID(), algorithm: SIGNING_ALGORITHM, privateJwk: { ...(await exportJWK(privateKey)) }, publicJwk: { ...(await exportJWK(publicKey)) } };
}

/** Rotates when `needed` says so of the signing key found under the lock (another node may have rotated meanwhile). */
async function rotateIf(db: Database, needed: (signing: SigningKeyRecord | undefined) => boolean): Promise<string> {
  const next = await newKeyRecord();
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${INSTALL_LOCK})`);
    if (needed((await platform.activeSigningKeys(tx)).find((r) => !r.retired))) await platform.rotateSigningKey(tx, next);
  });
  return next.kid;
}

/** Replaces the signing key now (the previous one keeps verifying for the grace period). Returns the new kid. */
export const rotateSigningKey = (db: Database): Promise<string> => rotateIf(db, () => true);

export class SigningKeyRing implements SigningKeys {
  private reloadedAt = 0;
  private readonly set: Refreshed<LoadedSet>;

  private constructor(db: Database, lifetimes: KeyLifetimes, loaded: LoadedSet) {
    this.set = new Refreshed(loaded, () => SigningKeyRing.readOrInstall(db, lifetimes), RECHECK_MS);
  }

  static async load(db: Database, lifetimes: KeyLifetimes): Promise<SigningKeyRing> {
    return new SigningKeyRing(db, lifetimes, await SigningKeyRing.readOrInstall(db, lifetimes));
  }

  get current(): { kid: string; key: CryptoKey } {
    return this.set.value.current;
  }

  get publicJwks(): JWK[] {
    return this.set.value.publicJwks;
  }

  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    const known = this.set.value.verifiers.get(kid);
    if (known || Date.now() - this.reloadedAt < UNKNOWN_KID_RELOAD_MS) return known;
    this.reloadedAt = Date.now();
    await this.refresh();
    return this.set.value.verifiers.get(kid);
  }

  /** Rereads the set (rotating first when the signing key has outlived its lifetime). */
  refresh(): Promise<void> {
    return this.set.refresh();
  }

  private static async readOrInstall(db: Database, lifetimes: KeyLifetimes): Promise<LoadedSet> {
    const due = (signing: SigningKeyRecord | undefined): boolean => !signing || Date.parse(signing.createdAt) < Date.now() - lifetimes.maxAgeSeconds * 1000;
    let records = await platform.activeSigningKeys(db, lifetimes.graceSeconds);
    if (due(records.find((r) => !r.retired))) {
      await rotateIf(db, due);
      records = await platform.activeSigningKeys(db, lifetimes.graceSeconds);
    }
    const newest = records.find((r) => !r.retired) as SigningKeyRecord;
    const verifiers = new Map<string, CryptoKey>();
    for (const r of records) verifiers.set(r.kid, (await importJWK(r.publicJwk as JWK, r.algorithm)) as CryptoKey);
    return {
      current: { kid: newest.kid, key: (await importJWK(newest.privateJwk as JWK, newest.algorithm)) as CryptoKey },
      publicJwks: records.map((r) => ({ ...(r.publicJwk as JWK), kid: r.kid, alg: r.algorithm, use: 'sig' })),
      verifiers,
    };
  }
}

/**
 * The keys another process signs with and publishes as a JWK Set (the central platform's), for a process
 * that only verifies tokens (a DPL with its own store): fetched when first needed, and again when a token
 * names a key not yet seen (at most every 30 s, jose's cooldown).
 */
export function publishedSigningKeys(jwksUrl: URL): SigningKeys {
  const published = createRemoteJWKSet(jwksUrl);
  return {
    get current(): never {
      throw new Error('This process verifies tokens; the central platform signs them');
    },
    publicJwks: [],
    // An unknown kid fetches the set again by itself.
    refresh: async () => undefined,
    async verificationKey(kid) {
      try {
        return await published({ alg: SIGNING_ALGORITHM, kid });
      } catch (err) {
        // A key the set does not hold: the token was not signed by the platform (401 follows).
        if ((err as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY') return undefined;
        throw new FhirError('unavailable', { diagnostics: `Access tokens cannot be verified now: the central platform's keys (${jwksUrl.href}) cannot be read` });
      }
    },
  };
}
