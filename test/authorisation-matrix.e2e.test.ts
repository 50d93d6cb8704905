// The authorisation matrix over HTTP on both databases: every starter role against resource types,
// interactions, sensitivity labels, purposes of use, SMART scopes and tenants on a DPL; on the central
// base, legitimate relationships (registration, active service), consent to sharing and break-glass;
// the policy replaced through the admin API; and no path answering without a token. Expectations are
// written out by hand from docs/security.md, not computed by the engine under test.
import { beforeAll, describe, expect, it } from 'vitest';
import { platform as platformRecords } from '../src/store/index.js';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';
import type { CallResult } from './support/platform.js';
import { ukCorePatient } from './support/patients.js';

const SENSITIVITY = 'https://openscip.org/fhir/CodeSystem/sensitivity';
const ODS = 'https://fhir.nhs.uk/Id/ods-organization-code';
const S = '/tenants/sunrise-care/fhir';
const M = '/tenants/meadow-homecare/fhir';
const H = '/tenants/city-hospital/fhir';
const restricted = { security: [{ system: SENSITIVITY, code: 'restricted' }] };

/** The clients of the matrix: one per starter role at the care home, and a hospital clinician. */
const ROLE_CLIENTS = {
  'care-worker': 'sun-care-worker',
  'registered-manager': 'sun-manager',
  'social-worker': 'sun-social-worker',
  clinician: 'sun-clinician',
  'safeguarding-lead': 'sun-safeguarding-lead',
  auditor: 'sun-auditor',
  system: 'sunrise-care-system',
} as const;
type Role = keyof typeof ROLE_CLIENTS;
const ROLES = Object.keys(ROLE_CLIENTS) as Role[];

const observation = (id: string, patient: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation', id, status: 'final', code: { text: 'Weight' }, subject: { reference: `Patient/${patient}` }, valueQuantity: { value: 61, unit: 'kg' }, ...extra,
});
const flag = (id: string, patient: string, text: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Flag', id, status: 'active', code: { text }, subject: { reference: `Patient/${patient}` }, ...extra });

describe.each(await testDatabases())('authorisation matrix on $name', (database) => {
  const t = suitePlatform(database);
  let personA: string;
  let personB: string;

  const as = (client: string, purpose?: string) => ({ as: client, ...(purpose ? { headers: { 'x-purpose-of-use': purpose } } : {}) });
  const put = async (base: string, resource: { resourceType: string; id: string; [element: string]: unknown }, client: string): Promise<void> => {
    const res = await t.call('PUT', `${base}/${resource.resourceType}/${resource.id}`, { body: resource, as: client });
    expect(res.status, res.text).toBeLessThan(300);
  };
  const types = (res: CallResult): string[] => (res.json.entry ?? []).filter((e: { search?: { mode: string } }) => e.search?.mode !== 'outcome').map((e: { resource: { resourceType: string; id: string } }) => `${e.resource.resourceType}/${e.resource.id}`);

  beforeAll(async () => {
    for (const [id, name, kind, odsCode] of [['sunrise-care', 'Sunrise Care Home', 'care-home', 'SUN01'], ['meadow-homecare', 'Meadow Homecare', 'home-care', 'MEA01'], ['city-hospital', 'City Hospital NHS Trust', 'acute-trust', 'CTY01']]) {
      await platformRecords.upsertTenant(t.platform.db, { id, name, kind, odsCode });
    }
    for (const [role, clientId] of Object.entries(ROLE_CLIENTS)) if (role !== 'system') await t.addClient({ clientId, tenant: 'sunrise-care', roles: [role] });
    await t.addClient({ clientId: 'sun-narrow', tenant: 'sunrise-care', roles: ['system'], scopes: ['system/Patient.rs'] });
    await t.addClient({ clientId: 'city-clinician', tenant: 'city-hospital', roles: ['clinician'] });
    await t.addClient({ clientId: 'auditor', roles: ['auditor'] });
    await t.platform.federation.feed.stop();

    // Person A: held by the care home and the homecare agency; she has asked that the agency's clinical
    // records not be shared with the care home. Person B: held by the agency only; the hospital provides
    // her an active service.
    const amara = { given: 'Amara', family: 'Okoye', birthDate: '1941-03-02', nhs: { value: '9990001014', verified: true } };
    await put(S, { ...ukCorePatient(amara), id: 'sun-a' }, 'sunrise-care-system');
    await put(M, { ...ukCorePatient(amara), id: 'mea-a' }, 'meadow-homecare-system');
    await put(M, { ...ukCorePatient({ given: 'Bernard', family: 'Quist', birthDate: '1938-11-30', gender: 'male', line: '2 Oak Road', postcode: 'LS8 1AB', nhs: { value: '9990001022', verified: true } }), id: 'mea-b' }, 'meadow-homecare-system');
    await put(S, { ...ukCorePatient({ given: 'Zeb', family: 'Zane', birthDate: '1950-05-05', gender: 'male', line: '9 Elm Street', postcode: 'LS2 9JT' }), id: 'sun-z' }, 'sunrise-care-system');
    await put(S, observation('sun-obs', 'sun-a'), 'sunrise-care-system');
    await put(S, flag('sun-flag', 'sun-a', 'Falls risk'), 'sunrise-care-system');
    await put(S, flag('sun-flag-r', 'sun-a', 'Safeguarding concern', { meta: restricted }), 'sunrise-care-system');
    await put(M, observation('mea-obs', 'mea-a'), 'meadow-homecare-system');
    await put(M, flag('mea-flag-r', 'mea-a', 'Section 42 enquiry', { meta: restricted }), 'meadow-homecare-system');
    await put(M, observation('mea-obs-b', 'mea-b'), 'meadow-homecare-system');
    await put(M, {
      resourceType: 'Consent', id: 'mea-consent', status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: 'Patient/mea-a' },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { identifier: { system: ODS, value: 'SUN01' } } }], securityLabel: [{ system: SENSITIVITY, code: 'clinical' }] },
    }, 'meadow-homecare-system');
    await put(M, { resourceType: 'EpisodeOfCare', id: 'mea-eoc-b', status: 'active', patient: { reference: 'Patient/mea-b' }, managingOrganization: { identifier: { system: ODS, value: 'CTY01' } }, period: { start: '2026-11-01' } }, 'meadow-homecare-system');
    await t.platform.federation.feed.drain();
    const link = async (tenant: string, patientId: string) => (await t.platform.repo.identity.personLink({ tenant, patientId }))?.personId as string;
    personA = await link('sunrise-care', 'sun-a');
    personB = await link('meadow-homecare', 'mea-b');
    expect(await link('meadow-homecare', 'mea-a')).toBe(personA);
    expect(personB).toBeTruthy();
  });

  it('on a DPL: role × type × interaction × sensitivity label × purpose', async () => {
    const cases: { what: string; method: string; path: string; body?: unknown; purpose?: string; expect: Record<Role, number> }[] = [
      { what: 'read an administrative record', method: 'GET', path: `${S}/Patient/sun-a`, expect: { 'care-worker': 200, 'registered-manager': 200, 'social-worker': 200, clinician: 200, 'safeguarding-lead': 200, auditor: 403, system: 200 } },
      { what: 'read a clinical record', method: 'GET', path: `${S}/Observation/sun-obs`, expect: { 'care-worker': 200, 'registered-manager': 200, 'social-worker': 200, clinician: 200, 'safeguarding-lead': 200, auditor: 403, system: 200 } },
      { what: 'read a restricted record for direct care', method: 'GET', path: `${S}/Flag/sun-flag-r`, expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 403, clinician: 403, 'safeguarding-lead': 403, auditor: 403, system: 200 } },
      { what: 'read a restricted record for safeguarding', method: 'GET', path: `${S}/Flag/sun-flag-r`, purpose: 'safeguarding', expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 200, clinician: 403, 'safeguarding-lead': 200, auditor: 403, system: 200 } },
      { what: 'read history', method: 'GET', path: `${S}/Patient/sun-a/_history`, expect: { 'care-worker': 200, 'registered-manager': 200, 'social-worker': 200, clinician: 200, 'safeguarding-lead': 200, auditor: 403, system: 200 } },
      { what: 'create a clinical record', method: 'POST', path: `${S}/Observation`, body: observation('x', 'sun-z'), expect: { 'care-worker': 201, 'registered-manager': 201, 'social-worker': 201, clinician: 201, 'safeguarding-lead': 403, auditor: 403, system: 201 } },
      { what: 'create a restricted record', method: 'POST', path: `${S}/Observation`, body: observation('x', 'sun-z', { meta: restricted }), expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 403, clinician: 403, 'safeguarding-lead': 403, auditor: 403, system: 201 } },
      { what: 'create a restricted record for safeguarding', method: 'POST', path: `${S}/Observation`, body: observation('x', 'sun-z', { meta: restricted }), purpose: 'safeguarding', expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 201, clinician: 403, 'safeguarding-lead': 201, auditor: 403, system: 201 } },
      { what: 'update a Patient', method: 'PUT', path: `${S}/Patient/sun-a`, body: { ...ukCorePatient({ given: 'Amara', family: 'Okoye', birthDate: '1941-03-02', nhs: { value: '9990001014', verified: true } }), id: 'sun-a' }, expect: { 'care-worker': 403, 'registered-manager': 200, 'social-worker': 200, clinician: 200, 'safeguarding-lead': 403, auditor: 403, system: 200 } },
      { what: 'relabel a restricted record', method: 'PUT', path: `${S}/Flag/sun-flag-r`, body: flag('sun-flag-r', 'sun-a', 'Safeguarding concern'), expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 403, clinician: 403, 'safeguarding-lead': 403, auditor: 403, system: 200 } },
      { what: "another tenant's DPL", method: 'GET', path: `${M}/Patient/mea-a`, expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 403, clinician: 403, 'safeguarding-lead': 403, auditor: 403, system: 403 } },
      { what: 'a MODS record (clinical)', method: 'GET', path: '/tenants/sunrise-care/mods/alert?subjectOfCare=sun-a', expect: { 'care-worker': 200, 'registered-manager': 200, 'social-worker': 200, clinician: 200, 'safeguarding-lead': 200, auditor: 403, system: 200 } },
      { what: 'the audit trail', method: 'GET', path: '/fhir/AuditEvent?_count=1', expect: { 'care-worker': 403, 'registered-manager': 403, 'social-worker': 403, clinician: 403, 'safeguarding-lead': 403, auditor: 200, system: 403 } },
    ];
    const failures: string[] = [];
    for (const c of cases) {
      for (const role of ROLES) {
        const res = await t.call(c.method, c.path, { ...as(ROLE_CLIENTS[role], c.purpose), ...(c.body ? { body: c.body } : {}) });
        if (res.status !== c.expect[role]) failures.push(`${c.what} as ${role}${c.purpose ? ` (${c.purpose})` : ''}: ${res.status}, expected ${c.expect[role]} ${res.text.slice(0, 200)}`);
        if (res.status === 403 && (res.json?.resourceType !== 'OperationOutcome' || !/denied|may not/.test(res.json.issue[0].diagnostics))) failures.push(`${c.what} as ${role}: a 403 without an OperationOutcome saying why`);
      }
    }
    expect(failures).toEqual([]);
    // The system client relabelled the restricted flag above: restore it.
    await put(S, flag('sun-flag-r', 'sun-a', 'Safeguarding concern', { meta: restricted }), 'sunrise-care-system');
    // Deleting: managers may, care workers may not.
    expect((await t.call('DELETE', `${S}/Observation/sun-obs`, as(ROLE_CLIENTS['care-worker']))).status).toBe(403);
    await put(S, observation('to-delete', 'sun-z'), 'sunrise-care-system');
    expect((await t.call('DELETE', `${S}/Observation/to-delete`, as(ROLE_CLIENTS['registered-manager']))).status).toBe(200);
  });

  it('filters searches by label in the query, so totals and pages are right', async () => {
    const flags = async (client: string, purpose?: string) => (await t.call('GET', `${S}/Flag?patient=Patient/sun-a&_count=1&_total=accurate`, as(client, purpose))).json;
    const careWorker = await flags(ROLE_CLIENTS['care-worker']);
    expect(careWorker.total).toBe(1);
    expect(careWorker.link.some((l: { relation: string }) => l.relation === 'next')).toBe(false);
    const lead = await flags(ROLE_CLIENTS['safeguarding-lead'], 'safeguarding');
    expect(lead.total).toBe(2);
    expect(lead.link.some((l: { relation: string }) => l.relation === 'next')).toBe(true);
    // A search by label itself (served from the resource row) finds exactly the labelled ones.
    const labelled = await t.call('GET', `${S}/Flag?_security=${encodeURIComponent(`${SENSITIVITY}|restricted`)}`, as('sunrise-care-system'));
    expect(types(labelled)).toEqual(['Flag/sun-flag-r']);
    // _include brings in only what the caller may read.
    const withSubject = await t.call('GET', `${S}/Flag?_id=sun-flag,sun-flag-r&_include=Flag:subject`, as(ROLE_CLIENTS['care-worker']));
    expect(types(withSubject).sort()).toEqual(['Flag/sun-flag', 'Patient/sun-a']);
  });

  it('holds tokens to their SMART scopes and callers to a known purpose of use', async () => {
    expect((await t.call('GET', `${S}/Patient/sun-a`, as('sun-narrow'))).status).toBe(200);
    const observationRead = await t.call('GET', `${S}/Observation/sun-obs`, as('sun-narrow'));
    expect(observationRead.status).toBe(403);
    expect(observationRead.json.issue[0].diagnostics).toMatch(/scopes \(system\/Patient\.rs\) do not allow 'r' on Observation/);
    expect((await t.call('POST', `${S}/Patient`, { ...as('sun-narrow'), body: ukCorePatient({ given: 'N', family: 'N', birthDate: '2000-01-01' }) })).status).toBe(403);
    const badPurpose = await t.call('GET', `${S}/Patient/sun-a`, as('sunrise-care-system', 'curiosity'));
    expect(badPurpose.status).toBe(400);
    expect(badPurpose.json.issue[0].expression).toEqual(['X-Purpose-Of-Use']);
  });

  it('on the central base: a legitimate relationship, registration or active service, is needed to reach a person', async () => {
    const careWorker = ROLE_CLIENTS['care-worker'];
    expect((await t.call('GET', `/fhir/Patient/${personA}`, as(careWorker))).status).toBe(200);
    const stranger = await t.call('GET', `/fhir/Patient/${personB}`, as(careWorker));
    expect(stranger.status).toBe(403);
    expect(stranger.json.issue[0].diagnostics).toMatch(/no legitimate relationship/);
    expect((await t.call('GET', `/fhir/Patient/${personB}/$everything`, as(careWorker))).status).toBe(403);
    expect((await t.call('GET', `/fhir/Observation?patient=Patient/${personB}`, as(careWorker))).status).toBe(403);
    // The person index is searched within the caller's relationships, in the query.
    const index = await t.call('GET', '/fhir/Patient?_count=100', as('sunrise-care-system'));
    const zeb = (await t.platform.repo.identity.personLink({ tenant: 'sunrise-care', patientId: 'sun-z' }))?.personId as string;
    expect(types(index).sort()).toEqual([`Patient/${personA}`, `Patient/${zeb}`].sort());
    expect(index.json.total).toBe(2);
    // The hospital provides Bernard an active service (an EpisodeOfCare naming its ODS code): it reaches him, not Amara.
    const bernard = await t.call('GET', `/fhir/Patient/${personB}/$everything`, as('city-clinician'));
    expect(bernard.status).toBe(200);
    expect(types(bernard)).toContain('Observation/mea-obs-b');
    expect((await t.call('GET', `/fhir/Patient/${personA}`, as('city-clinician'))).status).toBe(403);
    // Only platform administrators write to the central store.
    expect((await t.call('POST', '/fhir/Patient', { ...as('sunrise-care-system'), body: ukCorePatient({ given: 'X', family: 'Y', birthDate: '2000-01-01' }) })).status).toBe(403);
  });

  it('withholds from the shared view what labels hide and what the person asked not to be shared', async () => {
    const seen = await t.call('GET', `/fhir/Patient/${personA}/$everything`, as(ROLE_CLIENTS['care-worker']));
    expect(seen.status).toBe(200);
    const shown = types(seen);
    expect(shown).toEqual(expect.arrayContaining(['Patient/sun-a', 'Observation/sun-obs', 'Flag/sun-flag', 'Patient/mea-a']));
    // The agency's Observation: Amara dissented to its clinical records reaching the care home. Restricted flags: labels.
    for (const hidden of ['Observation/mea-obs', 'Flag/mea-flag-r', 'Flag/sun-flag-r']) expect(shown).not.toContain(hidden);
    const notices = seen.json.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'outcome').map((e: { resource: { issue: { diagnostics: string }[] } }) => e.resource.issue[0].diagnostics);
    expect(notices).toEqual([expect.stringMatching(/withheld/)]);
    // The system client sees restricted records, but the person's dissent binds it too.
    const system = types(await t.call('GET', `/fhir/Patient/${personA}/$everything`, as('sunrise-care-system')));
    expect(system).toEqual(expect.arrayContaining(['Flag/sun-flag-r', 'Flag/mea-flag-r']));
    expect(system).not.toContain('Observation/mea-obs');
    // A federated search filters the same way; its total counts what is shown.
    const observations = await t.call('GET', `/fhir/Observation?patient=Patient/${personA}`, as(ROLE_CLIENTS['care-worker']));
    expect(types(observations)).toEqual(['Observation/sun-obs']);
    expect(observations.json.total).toBe(1);
    const counted = await t.call('GET', `/fhir/Observation?patient=Patient/${personA}&_summary=count`, as(ROLE_CLIENTS['care-worker']));
    expect(counted.json.total).toBe(1);
    const view = await t.call('GET', `/fhir/Patient/${personA}/$merged-view`, as(ROLE_CLIENTS['care-worker']));
    expect(view.status).toBe(200);
    expect(view.text).not.toContain('mea-obs');
  });

  it('breaks the glass for permitted roles with a reason, for a limited time, flagged for review', async () => {
    const careWorker = ROLE_CLIENTS['care-worker'];
    const reason = (text: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: text }] });
    const refused = await t.call('POST', `/fhir/Patient/${personA}/$break-glass`, { ...as(careWorker), body: reason('Found unresponsive, need allergies') });
    expect(refused.status).toBe(403);
    expect((await t.call('POST', `/fhir/Patient/${personA}/$break-glass`, { ...as('city-clinician'), body: reason('urgent') })).status).toBe(400);
    expect((await t.call('POST', `/fhir/Patient/${personA}/$break-glass`, { ...as('city-clinician'), body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Unconscious in A&E' }, { name: 'minutes', valueInteger: 600 }] } })).status).toBe(400);
    // Without a grant, the break-glass purpose opens nothing.
    expect((await t.call('GET', `/fhir/Patient/${personA}/$everything`, as('city-clinician', 'break-glass'))).status).toBe(403);

    const opened = await t.call('POST', `/fhir/Patient/${personA}/$break-glass`, { ...as('city-clinician'), body: reason('Unconscious in A&E, no history available') });
    expect(opened.status, opened.text).toBe(200);
    const grant = opened.json.parameter.find((p: { name: string }) => p.name === 'grant').valueString as string;
    const expires = Date.parse(opened.json.parameter.find((p: { name: string }) => p.name === 'expires').valueInstant);
    expect(expires - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    // Still no reach without saying so: the grant is used only with the break-glass purpose.
    expect((await t.call('GET', `/fhir/Patient/${personA}/$everything`, as('city-clinician'))).status).toBe(403);
    const broken = await t.call('GET', `/fhir/Patient/${personA}/$everything`, as('city-clinician', 'break-glass'));
    expect(broken.status).toBe(200);
    // Relationship and consent are waived (consent named the care home anyway); labels are not.
    expect(types(broken)).toEqual(expect.arrayContaining(['Observation/sun-obs', 'Observation/mea-obs']));
    expect(types(broken)).not.toContain('Flag/mea-flag-r');

    // The audit trail flags it, and it waits for review.
    await t.platform.audit.drain();
    const trail = await t.call('GET', `/fhir/AuditEvent?agent=city-clinician&_count=10`, as('auditor'));
    const flagged = trail.json.entry.filter((e: { resource: { extension: { url: string; valueString?: string }[] } }) => e.resource.extension.some((x) => x.url.endsWith('/break-glass-grant') && x.valueString === grant));
    expect(flagged.length).toBeGreaterThanOrEqual(2);
    expect(flagged[0].resource.purposeOfEvent[0].coding[0].code).toBe('ETREAT');
    const queue = await t.call('GET', '/admin/break-glass?unreviewed=true', as('auditor'));
    expect(queue.json.map((g: { id: string }) => g.id)).toContain(grant);
    expect(queue.json.find((g: { id: string }) => g.id === grant)).toMatchObject({ clientId: 'city-clinician', personId: personA, reason: 'Unconscious in A&E, no history available' });
    expect((await t.call('GET', '/admin/break-glass', as(careWorker))).status).toBe(403);
    const review = await t.call('POST', `/admin/break-glass/${grant}/review`, { ...as('auditor'), body: { outcome: 'appropriate', note: 'Confirmed with A&E' } });
    expect(review.status, review.text).toBe(200);
    expect(review.json.review).toMatchObject({ by: 'auditor', outcome: 'appropriate' });
    expect((await t.call('POST', `/admin/break-glass/${grant}/review`, { ...as('auditor'), body: { outcome: 'inappropriate' } })).status).toBe(409);
  });

  it('replaces the policy through the admin API: checked, versioned, in force at once', async () => {
    const current = await t.call('GET', '/admin/policy', as('platform-admin'));
    expect(current.status).toBe(200);
    const version = current.json.version as number;
    expect((await t.call('PUT', '/admin/policy', { ...as(ROLE_CLIENTS['care-worker']), body: current.json.document })).status).toBe(403);
    const broken = { ...current.json.document, rules: [{ ...current.json.document.rules[0], labels: ['secret'] }, { id: 'x', effect: 'maybe', roles: [], types: ['Widget'], interactions: ['peek'] }] };
    const rejected = await t.call('PUT', '/admin/policy', { ...as('platform-admin'), body: broken });
    expect(rejected.status).toBe(400);
    expect(rejected.json.issue.map((i: { expression: string[] }) => i.expression[0])).toEqual(
      expect.arrayContaining(['rules[0].labels[0]', 'rules[1].effect', 'rules[1].roles', 'rules[1].types[0]', 'rules[1].interactions[0]']),
    );
    const withoutCareWorkers = { ...current.json.document, rules: current.json.document.rules.filter((r: { id: string }) => r.id !== 'care-worker-read') };
    const replaced = await t.call('PUT', '/admin/policy', { ...as('platform-admin'), body: withoutCareWorkers });
    expect(replaced.json.version).toBe(version + 1);
    const denied = await t.call('GET', `${S}/Patient/sun-a`, as(ROLE_CLIENTS['care-worker']));
    expect(denied.status).toBe(403);
    expect(denied.json.issue[0].diagnostics).toMatch(/no policy rule permits role care-worker to read Patient/);
    await t.call('PUT', '/admin/policy', { ...as('platform-admin'), body: current.json.document });
    expect((await t.call('GET', `${S}/Patient/sun-a`, as(ROLE_CLIENTS['care-worker']))).status).toBe(200);
    const versions = await t.call('GET', '/admin/policy/versions', as('platform-admin'));
    expect(versions.json.map((v: { version: number }) => v.version).slice(0, 3)).toEqual([version + 2, version + 1, version]);
  });

  it('answers nothing without a token except the public endpoints', async () => {
    const closed: [string, string][] = [
      ['GET', '/fhir/Patient'], ['GET', `/fhir/Patient/${personA}`], ['GET', `/fhir/Patient/${personA}/$everything`], ['GET', `/fhir/Patient/${personA}/$merged-view`],
      ['GET', `/fhir/Observation?patient=Patient/${personA}`], ['POST', '/fhir/Patient/$match'], ['POST', `/fhir/Patient/${personA}/$break-glass`], ['POST', '/fhir/StructureMap/$transform'],
      ['GET', '/fhir/AuditEvent'], ['GET', `${S}/Patient`], ['GET', `${S}/Patient/sun-a`], ['POST', `${S}`], ['GET', `${S}/_history`], ['POST', `${H}/Patient`],
      ['GET', '/tenants/sunrise-care/mods/alert?subjectOfCare=sun-a'], ['POST', '/tenants/sunrise-care/mods/subjects-of-care/register'], ['GET', '/tenants/sunrise-care/mods/registrations/x'],
      ['GET', '/admin/tenants'], ['GET', '/admin/clients'], ['GET', '/admin/policy'], ['PUT', '/admin/policy'], ['GET', '/admin/break-glass'], ['GET', '/metrics'],
    ];
    for (const [method, path] of closed) {
      const res = await t.call(method, path, { as: null, ...(method === 'GET' ? {} : { body: {} }) });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.json?.resourceType, `${method} ${path}`).toBe('OperationOutcome');
    }
    for (const path of ['/fhir/metadata', `${S}/metadata`, '/.well-known/smart-configuration', '/oauth2/jwks', '/healthz']) {
      expect((await t.call('GET', path, { as: null })).status, path).toBe(200);
    }
  });
});
