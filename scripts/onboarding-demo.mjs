// The onboarding flow, against a running platform (`npm start` in another terminal):
//   node scripts/onboarding-demo.mjs [http://127.0.0.1:8080] [data/dev-credentials.json]
// Two tenants register the same person; one publishes an About Me in MODS, the other an alert and an
// allergy; the hospital admits her (its registration is its legitimate relationship with her), then
// retrieves everything through the central FHIR API and reads it back as MODS.
import { readFileSync } from 'node:fs';

const BASE = process.argv[2] ?? 'http://127.0.0.1:8080';
const CREDS = JSON.parse(readFileSync(process.argv[3] ?? 'data/dev-credentials.json', 'utf8'));
const fixture = (name) => JSON.parse(readFileSync(new URL(`../test/fixtures/mods/${name}.json`, import.meta.url), 'utf8'));
const run = Date.now().toString(36);
// A fresh valid test-range NHS number each run, so the demo can be repeated on the same data.
const nhs = (() => {
  for (let k = Number.parseInt(run, 36) % 1_000_000; ; k++) {
    const body = `999${String(k % 1_000_000).padStart(6, '0')}`;
    const check = 11 - ([...body].reduce((s, d, i) => s + Number(d) * (10 - i), 0) % 11);
    if (check !== 10) return body + (check === 11 ? '0' : String(check));
  }
})();

async function tokenFor(tenant) {
  const c = CREDS.clients.find((x) => x.tenant === tenant);
  const res = await fetch(`${BASE}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }) });
  return (await res.json()).access_token;
}

async function call(token, method, path, body) {
  const res = await fetch(`${BASE}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return { status: res.status, headers: res.headers, json };
}

const step = (text) => console.log(`\n▶ ${text}`);
const [sunrise, meadow, hospital] = await Promise.all(['sunrise-care', 'meadow-homecare', 'city-hospital'].map(tokenFor));
const { versionNumber: _v, recordUid: _r, ...margaret } = fixture('subject-of-care.margaret-okafor');
const person = { ...margaret, identification: { ...margaret.identification, nhsNumber: nhs } };

step(`Register NHS number ${nhs} on sunrise-care and meadow-homecare, and as admitted to city-hospital (MODS)`);
const ids = [`sun-${run}`, `mea-${run}`, `hosp-${run}`];
const registered = [];
for (const [token, tenant, id] of [[sunrise, 'sunrise-care', ids[0]], [meadow, 'meadow-homecare', ids[1]], [hospital, 'city-hospital', ids[2]]]) {
  const r = await call(token, 'POST', `/tenants/${tenant}/mods/subjects-of-care/register`, { ...person, subjectOfCareId: id });
  console.log(`  ${tenant}: ${r.status} ${JSON.stringify(r.json)}`);
  const location = new URL(r.headers.get('location')).pathname;
  for (;;) {
    const s = await call(token, 'GET', location);
    if (s.json.status !== 'pending') {
      console.log(`  ${tenant}: ${JSON.stringify(s.json)}`);
      registered.push(s.json.personId);
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}
console.log(`  one platform person: ${registered.every((p) => p === registered[0]) ? registered[0] : 'NO — ' + registered.join(' ≠ ')}`);

step('sunrise-care publishes an About Me; meadow-homecare an alert and an allergy (MODS)');
console.log(`  ${JSON.stringify((await call(sunrise, 'POST', '/tenants/sunrise-care/mods/about-me', { ...fixture('about-me.margaret-okafor'), subjectOfCare: { ref: ids[0] } })).json)}`);
console.log(`  ${JSON.stringify((await call(meadow, 'POST', '/tenants/meadow-homecare/mods/alert', { ...fixture('alert.dangerous-dog'), subjectOfCare: { nhsNumber: nhs }, informed: undefined })).json)}`);
console.log(`  ${JSON.stringify((await call(meadow, 'POST', '/tenants/meadow-homecare/mods/allergy', { ...fixture('allergy.penicillin'), subjectOfCare: { ref: ids[1] } })).json)}`);

step('city-hospital asks the central API for everything about the person');
let everything;
for (let i = 0; i < 50; i++) {
  everything = (await call(hospital, 'GET', `/fhir/Patient/${registered[0]}/$everything`)).json;
  if (everything.entry.some((e) => e.resource.resourceType === 'AllergyIntolerance') && everything.entry.some((e) => e.resource.resourceType === 'QuestionnaireResponse')) break;
  await new Promise((res) => setTimeout(res, 100));
}
for (const e of everything.entry) console.log(`  ${e.resource.resourceType.padEnd(22)} from ${e.resource.meta?.source ?? '(outcome)'}`);

step('... and reads it back as MODS through $transform');
const mods = (await call(hospital, 'POST', '/fhir/$transform?target=mods', everything)).json;
for (const r of mods.records) console.log(`  ${r.resourceType.padEnd(20)} ${r.recordUid ?? ''}`);
for (const o of mods.omitted ?? []) console.log(`  omitted ${o.fullUrl}: ${o.issues[0]}`);
