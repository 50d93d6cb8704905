// Platform records that are not FHIR resources: tenants, OAuth clients, signing keys, secrets.
import type { Queryable } from './db/driver.js';
import { createTenantPartitions } from './partitions.js';

export interface TenantRecord {
  id: string;
  name: string;
  kind: string;
  odsCode?: string;
}

export interface ClientRecord {
  clientId: string;
  tenant?: string;
  name: string;
  secretHash?: string;
  jwks?: unknown;
  roles: string[];
  scopes: string[];
  disabled: boolean;
}

export interface SigningKeyRecord {
  kid: string;
  algorithm: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: string;
  /** Retired: still verifies tokens it signed, never signs new ones. */
  retired?: boolean;
}

const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

type TenantRow = { id: string; name: string; kind: string; ods_code: string | null };
const toTenant = (r: TenantRow): TenantRecord => ({ id: r.id, name: r.name, kind: r.kind, odsCode: r.ods_code ?? undefined });

export async function listTenants(q: Queryable): Promise<TenantRecord[]> {
  return (await q.query<TenantRow>('SELECT id, name, kind, ods_code FROM tenant ORDER BY id')).map(toTenant);
}

export async function findTenant(q: Queryable, id: string): Promise<TenantRecord | undefined> {
  const rows = await q.query<TenantRow>('SELECT id, name, kind, ods_code FROM tenant WHERE id = $1', [id]);
  return rows[0] && toTenant(rows[0]);
}

export async function upsertTenant(q: Queryable, t: TenantRecord): Promise<void> {
  await insertTenant(q, t, 'DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, ods_code = EXCLUDED.ods_code');
}

/** Creates the tenant unless it exists (leaving an existing one as it is). */
export async function ensureTenant(q: Queryable, t: TenantRecord): Promise<void> {
  await insertTenant(q, t, 'DO NOTHING');
}

async function insertTenant(q: Queryable, t: TenantRecord, onConflict: string): Promise<void> {
  await q.query(`INSERT INTO tenant (id, name, kind, ods_code) VALUES ($1, $2, $3, $4) ON CONFLICT (id) ${onConflict}`, [t.id, t.name, t.kind, t.odsCode ?? null]);
  await createTenantPartitions(q, t.id);
}

export async function findClient(q: Queryable, clientId: string): Promise<ClientRecord | undefined> {
  const rows = await q.query<{ client_id: string; tenant: string | null; name: string; secret_hash: string | null; jwks: unknown; roles: string[]; scopes: string[]; disabled: boolean }>(
    'SELECT client_id, tenant, name, secret_hash, jwks, roles, scopes, disabled FROM oauth_client WHERE client_id = $1',
    [clientId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    clientId: r.client_id,
    tenant: r.tenant ?? undefined,
    name: r.name,
    secretHash: r.secret_hash ?? undefined,
    jwks: r.jwks ? parseJson(r.jwks) : undefined,
    roles: r.roles,
    scopes: r.scopes,
    disabled: r.disabled,
  };
}

/** Every client, in id order. */
export async function listClients(q: Queryable): Promise<ClientRecord[]> {
  const rows = await q.query<{ client_id: string }>('SELECT client_id FROM oauth_client ORDER BY client_id');
  return (await Promise.all(rows.map((r) => findClient(q, r.client_id)))).filter((c): c is ClientRecord => !!c);
}

/** Enables or disables a client; false when there is no such client. */
export async function setClientDisabled(q: Queryable, clientId: string, disabled: boolean): Promise<boolean> {
  return (await q.query<{ client_id: string }>('UPDATE oauth_client SET disabled = $2 WHERE client_id = $1 RETURNING client_id', [clientId, disabled])).length === 1;
}

/**
 * Records a client assertion's `jti` until `expiresAt`; false when it was seen before (a replay).
 * Expired ones are cleared as it goes.
 */
export async function rememberAssertion(q: Queryable, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const rows = await q.query<{ jti: string }>(
    `WITH expired AS (DELETE FROM oauth_assertion WHERE expires_at < now())
     INSERT INTO oauth_assertion (client_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING jti`,
    [clientId, jti, expiresAt.toISOString()],
  );
  return rows.length === 1;
}

export async function countClients(q: Queryable): Promise<number> {
  return Number((await q.query<{ n: number }>('SELECT count(*)::int AS n FROM oauth_client'))[0].n);
}

export async function insertClient(q: Queryable, c: ClientRecord): Promise<void> {
  await q.query(
    'INSERT INTO oauth_client (client_id, tenant, name, secret_hash, jwks, roles, scopes, disabled) VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], $7::text[], $8)',
    [c.clientId, c.tenant ?? null, c.name, c.secretHash ?? null, c.jwks ? JSON.stringify(c.jwks) : null, c.roles, c.scopes, c.disabled],
  );
}

/**
 * The keys tokens may be signed or verified with, newest first: the ones in use, and those retired
 * within `graceSeconds` (tokens they signed may still be alive).
 */
export async function activeSigningKeys(q: Queryable, graceSeconds = 0): Promise<SigningKeyRecord[]> {
  const rows = await q.query<{ kid: string; algorithm: string; private_jwk: unknown; public_jwk: unknown; created: string; retired: boolean }>(
    `SELECT kid, algorithm, private_jwk, public_jwk, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created, retired_at IS NOT NULL AS retired
     FROM signing_key WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY retired_at IS NOT NULL, created_at DESC`,
    [graceSeconds],
  );
  return rows.map((r) => ({ kid: r.kid, algorithm: r.algorithm, privateJwk: parseJson(r.private_jwk), publicJwk: parseJson(r.public_jwk), createdAt: r.created, retired: r.retired }));
}

/** Retires every key in use and puts `next` in their place (one statement: never without a key). */
export async function rotateSigningKey(q: Queryable, next: Omit<SigningKeyRecord, 'createdAt' | 'retired'>): Promise<void> {
  await q.query(
    `WITH retired AS (UPDATE signing_key SET retired_at = now() WHERE retired_at IS NULL)
     INSERT INTO signing_key (kid, algorithm, private_jwk, public_jwk) VALUES ($1, $2, $3::jsonb, $4::jsonb)`,
    [next.kid, next.algorithm, JSON.stringify(next.privateJwk), JSON.stringify(next.publicJwk)],
  );
}

/** Returns the named secret, creating it with `generate()` on first use (race-safe). */
export async function platformSecret(q: Queryable, name: string, generate: () => string): Promise<string> {
  await q.query('INSERT INTO platform_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, generate()]);
  return (await q.query<{ value: string }>('SELECT value FROM platform_secret WHERE name = $1', [name]))[0].value;
}
