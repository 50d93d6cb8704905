// The `scip` command line against both databases: add a tenant and a client, then use that client's
// printed secret against the platform; the embedded database refuses a second process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { startPlatform } from '../src/platform.js';
import { scip } from './support/cli.js';
import { provisionProcessEnvironment, testDatabases } from './support/databases.js';

describe.each(await testDatabases())('scip CLI on $name', (database) => {
  it('rotates signing keys and sets the access policy, refusing a policy that does not check', async () => {
    const { env, dataDir, cleanup } = await provisionProcessEnvironment(database, 'scip-cli-');
    try {
      expect(JSON.parse((await scip(env, 'policy', 'show')).stdout)).toMatchObject({ version: 0 });
      const bad = join(dataDir, 'bad-policy.json');
      writeFileSync(bad, JSON.stringify({ labels: { otherwise: 'clinical' }, rules: [{ id: 'r', effect: 'permit', roles: ['system'], types: ['Widget'], interactions: ['read'], labels: ['clinical'] }], breakGlass: { roles: [], maxMinutes: 30 } }));
      const refused = await scip(env, 'policy', 'set', bad);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain("'Widget' is not an R4 resource type");
      writeFileSync(bad, JSON.stringify({ labels: { otherwise: 'clinical' }, rules: [{ id: 'r', effect: 'permit', roles: ['system'], types: ['*'], interactions: ['read'], labels: ['clinical'] }], breakGlass: { roles: [], maxMinutes: 30 } }));
      expect(JSON.parse((await scip(env, 'policy', 'set', bad, '--author', 'test')).stdout)).toEqual({ version: 1 });

      const first = JSON.parse((await scip(env, 'keys', 'rotate')).stdout).kid as string;
      const second = JSON.parse((await scip(env, 'keys', 'rotate')).stdout).kid as string;
      const listed = JSON.parse((await scip(env, 'keys', 'list')).stdout) as { kid: string; retired: boolean }[];
      expect(listed.map((k) => [k.kid, k.retired])).toEqual([[second, false], [first, true]]);
    } finally {
      await cleanup();
    }
    // Each command is a process opening the database: slow on the embedded one.
  }, 90_000);

  it('adds a tenant and a client whose secret then obtains a token for that tenant', async () => {
    const { env, dataDir, databaseUrl, cleanup } = await provisionProcessEnvironment(database, 'scip-cli-');
    try {
      expect((await scip(env, 'tenant', 'add', 'acme-care', '--name', 'Acme Care', '--kind', 'care-home')).status).toBe(0);
      expect(JSON.parse((await scip(env, 'tenant', 'list')).stdout).map((t: { id: string }) => t.id)).toContain('acme-care');
      const added = await scip(env, 'client', 'add', 'acme-system', '--tenant', 'acme-care');
      expect(added.status).toBe(0);
      const { clientSecret } = JSON.parse(added.stdout) as { clientSecret: string };
      const refused = await scip(env, 'client', 'add', 'stray-client', '--tenant', 'no-such-tenant');
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('Unknown tenant');

      const platform = await startPlatform({ ...loadConfig({}), dataDir, databaseUrl, publicUrl: 'http://scip.test', logLevel: 'silent' });
      const app = await buildApp(platform, { logger: false });
      try {
        if (!databaseUrl) {
          const locked = await scip(env, 'tenant', 'list');
          expect(locked.status).toBe(2);
          expect(locked.stderr).toContain('in use by process');
        }
        const token = await app.inject({
          method: 'POST',
          url: '/oauth2/token',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'acme-system', client_secret: clientSecret }).toString(),
        });
        expect(token.statusCode).toBe(200);
        const access = (JSON.parse(token.body) as { access_token: string }).access_token;
        const res = await app.inject({ method: 'GET', url: '/tenants/acme-care/fhir/Patient', headers: { authorization: `Bearer ${access}` } });
        expect(res.statusCode).toBe(200);
        const other = await app.inject({ method: 'GET', url: '/tenants/sunrise-care/fhir/Patient', headers: { authorization: `Bearer ${access}` } });
        expect(other.statusCode).toBe(403);
      } finally {
        await app.close();
        await platform.close();
      }
    } finally {
      await cleanup();
    }
  }, 60_000);

  it('de-duplicates a tenant, and estimates a model the platform then starts with', async () => {
    const { env, dataDir, databaseUrl, cleanup } = await provisionProcessEnvironment(database, 'scip-cli-identity-');
    try {
      const config = { ...loadConfig({}), dataDir, databaseUrl, publicUrl: 'http://scip.test', logLevel: 'silent' };
      const platform = await startPlatform(config);
      try {
        const person = (given: string, birthDate: string, postalCode: string): Patient => ({ resourceType: 'Patient', name: [{ family: 'Abernethy', given: [given] }], birthDate, gender: 'male', address: [{ line: ['2 Kiln Yard'], postalCode }] });
        for (const p of [person('Thomas', '1950-04-02', 'YO1 7HH'), person('Tom', '1950-04-02', 'YO1 7HH'), person('Arthur', '1981-10-30', 'YO1 7HH')]) await platform.repo.create('sunrise-care', p);
      } finally {
        await platform.close();
      }
      const report = join(dataDir, 'report.json');
      const deduped = await scip(env, 'identity', 'dedupe', '--tenant', 'sunrise-care', '--report', report, '--no-progress');
      expect(deduped.status, deduped.stderr).toBe(0);
      expect(JSON.parse(deduped.stdout)).toMatchObject({ records: 3, clusters: 2, duplicateClusters: 1, links: 1 });
      const full = JSON.parse(readFileSync(report, 'utf8')) as { duplicates: { records: string[]; links: { rule: string }[] }[] };
      expect(full.duplicates[0].records).toHaveLength(2);
      expect(full.duplicates[0].links[0].rule).toBe('score above the auto-link threshold');
      expect((await scip(env, 'identity', 'dedupe')).status).toBe(2);

      const model = join(dataDir, 'model.json');
      const estimated = await scip(env, 'identity', 'estimate', '--tenant', 'sunrise-care', '--out', model);
      expect(estimated.status, estimated.stderr).toBe(0);
      expect(JSON.parse(readFileSync(model, 'utf8'))).toHaveProperty('m.given');
      const withModel = await startPlatform({ ...config, identityModelFile: model });
      await withModel.close();
      writeFileSync(model, JSON.stringify({ prior: 2 }));
      await expect(startPlatform({ ...config, identityModelFile: model })).rejects.toThrow(/SCIP_IDENTITY_MODEL .*not a match model/);
    } finally {
      await cleanup();
    }
  }, 60_000);
});
