#!/usr/bin/env node
// `scip`: the operator's command line (npm run scip -- <command>). It works on the same database
// as the platform (DATABASE_URL, or the embedded one in SCIP_DATA_DIR when the platform is stopped).
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkPolicy, registerClient, rotateSigningKey, verifyAuditChain } from '../access/index.js';
import { loadDefinitions } from '../fhir/definitions.js';
import { ConfigError, loadConfig } from '../config.js';
import { FhirError } from '../fhir/errors.js';
import { addTenant } from '../federation/tenants.js';
import { CENTRAL_TENANT } from '../platform.js';
import { patientsFromFile, patientsOfTenant, runDedupe, runEstimate } from './dedupe.js';
import { AccessRecords, DataDirInUseError, migrate, openDatabase, platform } from '../store/index.js';
import type { Database } from '../store/index.js';

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2, embeddedSharedBuffersMb: config.embeddedSharedBuffersMb });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

const program = new Command('scip').description('OpenSCIP operator commands').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(() => withDatabase(async (db) => print({ applied: await migrate(db) })));

const tenant = program.command('tenant').description('tenants (data provision layers)');
tenant
  .command('list')
  .description('list tenants')
  .action(() => withDatabase(async (db) => print(await platform.listTenants(db))));
tenant
  .command('add <id>')
  .description('create or rename a tenant')
  .requiredOption('--name <name>', 'display name')
  .option('--kind <kind>', 'care-home, home-care, acute-trust, local-authority, gp-practice…', 'care-provider')
  .option('--ods <code>', 'ODS organisation code')
  .action((id: string, o: { name: string; kind: string; ods?: string }) =>
    withDatabase(async (db) => print(await addTenant(db, { id, name: o.name, kind: o.kind, odsCode: o.ods }, CENTRAL_TENANT))),
  );

const client = program.command('client').description('OAuth clients');
client
  .command('add <clientId>')
  .description('register a client; prints its secret once')
  .option('--tenant <tenant>', 'tenant the client acts for (omit for a platform client)')
  .option('--roles <roles>', 'comma-separated roles', 'system')
  .option('--scopes <scopes>', 'comma-separated SMART scopes', 'system/*.cruds')
  .option('--name <name>', 'display name')
  .option('--jwks <file>', "the client's public JWK Set (SMART Backend Services, private_key_jwt): no secret is issued")
  .action((clientId: string, o: { tenant?: string; roles: string; scopes: string; name?: string; jwks?: string }) =>
    withDatabase(async (db) => {
      const jwks = o.jwks === undefined ? undefined : (JSON.parse(readFileSync(o.jwks, 'utf8')) as unknown);
      print(await registerClient(db, { clientId, tenant: o.tenant, roles: list(o.roles), scopes: list(o.scopes), name: o.name, jwks }));
    }),
  );

const identity = program.command('identity').description('identity matching and the person index');
identity
  .command('dedupe')
  .description("find duplicate persons among a tenant's Patients or a file of Patients (NDJSON, JSON array or Bundle)")
  .option('--tenant <tenant>', "de-duplicate this tenant's current Patients")
  .option('--file <path>', 'de-duplicate the Patients in this file')
  .option('--report <path>', 'write the full report (clusters, links, pairs for review) as JSON here')
  .option('--no-progress', 'no progress bar')
  .action(async (o: { tenant?: string; file?: string; report?: string; progress: boolean }) => {
    if (!o.tenant === !o.file) throw new FhirError('invalid', { diagnostics: 'Give exactly one of --tenant and --file' });
    const input = o.file
      ? patientsFromFile(o.file)
      : await withDatabase((db) => patientsOfTenant(db, o.tenant as string, (n) => o.progress && process.stderr.write(`\r read ${n} Patients`)));
    if (o.progress && o.tenant) process.stderr.write('\n');
    print(runDedupe(input, o.report, o.progress));
  });

identity
  .command('estimate')
  .description("estimate the match model's m and u probabilities from a tenant's Patients or a file, without labels (EM)")
  .option('--tenant <tenant>', "estimate from this tenant's current Patients")
  .option('--file <path>', 'estimate from the Patients in this file')
  .option('--out <path>', 'write the model here (use it with SCIP_IDENTITY_MODEL)')
  .action(async (o: { tenant?: string; file?: string; out?: string }) => {
    if (!o.tenant === !o.file) throw new FhirError('invalid', { diagnostics: 'Give exactly one of --tenant and --file' });
    const input = o.file ? patientsFromFile(o.file) : await withDatabase((db) => patientsOfTenant(db, o.tenant as string, () => undefined));
    print(runEstimate(input, o.out));
  });

const audit = program.command('audit').description('the hash-chained audit trail');
audit
  .command('verify')
  .description('check the whole audit trail: no gaps, no alterations, no events removed from its end (exit 1 if not)')
  .option('--no-progress', 'no progress on stderr')
  .action((o: { progress: boolean }) =>
    withDatabase(async (db) => {
      const started = performance.now();
      const result = await verifyAuditChain(db, (n) => o.progress && process.stderr.write(`\r verified ${n} events`));
      if (o.progress) process.stderr.write('\n');
      print({ ...result, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) });
      if (!result.ok) process.exitCode = 1;
    }),
  );

const keys = program.command('keys').description('token-signing keys');
keys
  .command('list')
  .description('the keys in use and those retired that still verify (public parts only)')
  .action(() =>
    withDatabase(async (db) => {
      const { tokenTtlSeconds } = loadConfig();
      print((await platform.activeSigningKeys(db, tokenTtlSeconds + 300)).map((k) => ({ kid: k.kid, algorithm: k.algorithm, createdAt: k.createdAt, retired: Boolean(k.retired) })));
    }),
  );
keys
  .command('rotate')
  .description('replace the signing key now; the old one keeps verifying tokens it signed until they expire')
  .action(() => withDatabase(async (db) => print({ kid: await rotateSigningKey(db) })));

const policy = program.command('policy').description('the access policy (versioned; the newest is in force)');
policy
  .command('show')
  .description('print the policy in force, with its version')
  .action(() => withDatabase(async (db) => print((await new AccessRecords(db).currentPolicy()) ?? { version: 0, note: 'No policy stored yet: the platform installs its starter policy when it first starts' })));
policy
  .command('versions')
  .description('list the stored versions, newest first')
  .action(() => withDatabase(async (db) => print((await new AccessRecords(db).policies()).map(({ document: _d, ...v }) => v))));
policy
  .command('set <file>')
  .description('check a policy document (JSON) and store it as the next version; running nodes pick it up within seconds')
  .option('--author <name>', 'who is setting it (recorded with the version)', 'scip policy set')
  .action((file: string, o: { author: string }) =>
    withDatabase(async (db) => {
      const document = checkPolicy(JSON.parse(readFileSync(file, 'utf8')) as unknown, loadDefinitions().resourceTypes);
      print({ version: await new AccessRecords(db).savePolicy(document, o.author) });
    }),
  );

program.parseAsync().catch((err: unknown) => {
  if (err instanceof FhirError || err instanceof ConfigError || err instanceof DataDirInUseError) {
    process.stderr.write(`scip: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
});
