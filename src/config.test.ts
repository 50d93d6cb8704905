import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the all-in-one platform on 127.0.0.1:8080', () => {
    const c = loadConfig({});
    expect([c.host, c.port, c.publicUrl, c.databaseUrl, c.demo]).toEqual(['127.0.0.1', 8080, 'http://127.0.0.1:8080', undefined, true]);
    expect(c.dataDir).toMatch(/\/data$/);
  });

  it('reads the documented variables', () => {
    const c = loadConfig({ HOST: '0.0.0.0', PORT: '9000', DATABASE_URL: 'postgres://u@h/db', SCIP_PUBLIC_URL: 'https://scip.example.org/', SCIP_DEMO: 'false', SCIP_CHANGE_FEED: 'false' });
    expect([c.port, c.publicUrl, c.databaseUrl, c.demo, c.changeFeed]).toEqual([9000, 'https://scip.example.org', 'postgres://u@h/db', false, false]);
    expect(loadConfig({}).changeFeed).toBe(true);
    expect([loadConfig({}).embeddedSharedBuffersMb, loadConfig({ SCIP_PGLITE_SHARED_BUFFERS_MB: '128' }).embeddedSharedBuffersMb]).toEqual([32, 128]);
  });

  it('refuses bad values with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ SCIP_DEMO: 'maybe' })).toThrow(/SCIP_DEMO/);
    expect(() => loadConfig({ SCIP_PGLITE_SHARED_BUFFERS_MB: '32MB' })).toThrow(/SCIP_PGLITE_SHARED_BUFFERS_MB/);
  });

  it('reads the distributed topology, and refuses an incomplete one', () => {
    const db = { DATABASE_URL: 'postgres://u@h/db' };
    expect(loadConfig({}).topology).toEqual({ role: 'all-in-one' });
    expect(loadConfig({ ...db, SCIP_ROLE: 'dpl', SCIP_TENANTS: 'a, b' }).topology).toEqual({ role: 'dpl', tenants: ['a', 'b'] });
    const central = loadConfig({ ...db, SCIP_ROLE: 'central', SCIP_DPL_URLS: 'a=http://h1:81/,b=http://h2:82', SCIP_ISSUER: 'http://central:80/' });
    expect(central.topology).toEqual({ role: 'central', dplUrls: new Map([['a', 'http://h1:81'], ['b', 'http://h2:82']]) });
    expect(central.issuer).toBe('http://central:80');
    expect(() => loadConfig({ SCIP_ROLE: 'dpl', SCIP_TENANTS: 'a' })).toThrow(/DATABASE_URL .* or NATS_URL/);
    // A DPL with its own (embedded) store: its changes travel over JetStream.
    const own = loadConfig({ SCIP_ROLE: 'dpl', SCIP_TENANTS: 'a', NATS_URL: 'nats://127.0.0.1:4222', SCIP_NATS_NAMESPACE: 'east' });
    expect([own.topology, own.databaseUrl, own.natsNamespace]).toEqual([{ role: 'dpl', tenants: ['a'] }, undefined, 'east']);
    expect(() => loadConfig({ SCIP_NATS_NAMESPACE: 'a.b' })).toThrow(/SCIP_NATS_NAMESPACE/);
    expect(() => loadConfig({ ...db, SCIP_ROLE: 'dpl' })).toThrow(/SCIP_TENANTS/);
    expect(() => loadConfig({ ...db, SCIP_ROLE: 'central', SCIP_DPL_URLS: 'a=not a url' })).toThrow(/SCIP_DPL_URLS/);
    expect(() => loadConfig({ SCIP_ROLE: 'edge' })).toThrow(/SCIP_ROLE/);
  });
  it('reads an external identity provider, its role map, and refuses one without a JWKS URL', () => {
    const c = loadConfig({ SCIP_IDP_ISSUER: 'https://idp.example', SCIP_IDP_JWKS_URL: 'https://idp.example/jwks', SCIP_IDP_ROLES: 'carers=care-worker, admins=platform-admin' });
    expect(c.externalIdp).toMatchObject({ issuer: 'https://idp.example', roleClaim: 'roles', tenantClaim: 'tenant' });
    expect([...(c.externalIdp?.roles ?? [])]).toEqual([['carers', 'care-worker'], ['admins', 'platform-admin']]);
    expect(() => loadConfig({ SCIP_IDP_ISSUER: 'https://idp.example' })).toThrow(/SCIP_IDP_JWKS_URL/);
    expect(() => loadConfig({ SCIP_IDP_ISSUER: 'https://idp.example', SCIP_IDP_JWKS_URL: 'https://idp.example/jwks', SCIP_IDP_ROLES: 'carers' })).toThrow(/their-role=our-role/);
  });
});
