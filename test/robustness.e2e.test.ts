// Hostile or odd input never produces a 500: every answer is a 2xx, or a 4xx with an OperationOutcome.
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { suitePlatform } from './support/platform.js';

const B = '/tenants/sunrise-care/fhir';
const long = 'x'.repeat(5000);

describe.each(await testDatabases())('robustness on $name', (database) => {
  const t = suitePlatform(database);

  const cases: [string, string, { body?: unknown; payload?: string; headers?: Record<string, string> }][] = [
    ['GET', `${B}/Patient?_count=99999999999999999999`, {}],
    ['GET', `${B}/Patient?_sort=`, {}],
    ['GET', `${B}/Patient?_include=`, {}],
    ['GET', `${B}/Patient?_cursor=`, {}],
    ['GET', `${B}/Patient?_cursor=bm90LWpzb24.c2ln`, {}],
    ['GET', `${B}/Patient?birthdate=ge99999-01-01`, {}],
    ['GET', `${B}/Patient?family=${long}`, {}],
    ['GET', `${B}/Patient?identifier=${long}`, {}],
    ['GET', `${B}/Patient?_has=x`, {}],
    ['GET', `${B}/Patient?subject.foo.bar=1`, {}],
    ['GET', `${B}/Patient/${'a'.repeat(200)}`, {}],
    ['GET', `${B}/Patient/x/_history/notanumber`, {}],
    ['GET', `${B}/Patient/x/_history/99999999999999999999`, {}],
    ['GET', `${B}/_history?_since=notadate`, {}],
    ['GET', `${B}/_history?_page=99999999999999999999999`, {}],
    ['GET', `${B}/Patient?_lastUpdated=gt99999-01-01`, {}],
    ['GET', `${B}/RiskAssessment?probability=1e400`, {}],
    ['GET', `${B}/Patient?_since=2020`, {}],
    ['POST', `${B}/Patient`, { body: null }],
    ['POST', `${B}/Patient`, { body: 'just a string' }],
    ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', identifier: [{ system: 'urn:x', value: long }] } }],
    ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', meta: { profile: [long] } } }],
    ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', name: [{ family: { nested: true } }] } }],
    ['POST', `${B}/Patient`, { payload: '{"resourceType":"Patient"}', headers: { 'content-type': ';;;' } }],
    ['POST', `${B}/Patient`, { body: { resourceType: 'Patient', contained: [{ resourceType: 'Nope' }] } }],
    ['POST', `${B}/Patient`, { body: JSON.parse(`${'{"resourceType":"Patient","extension":['.repeat(1)}${'{"url":"urn:x","extension":['.repeat(200)}${']}'.repeat(200)}]}`) }],
    ['POST', B, { body: { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: '%%%' } }] } }],
    ['POST', B, { body: { resourceType: 'Bundle', type: 'transaction', entry: 'not-an-array' } }],
    ['PATCH', `${B}/Patient/x`, { payload: '{"op":"replace"}', headers: { 'content-type': 'application/json-patch+json' } }],
    ['PUT', `${B}/Patient`, { body: { resourceType: 'Patient' } }],
    ['DELETE', `${B}/Patient`, {}],
  ];

  it.each(cases)('%s %s', async (method, url, options) => {
    const res = await t.call(method, url, options);
    expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    if (res.status >= 400) expect(res.json?.resourceType, res.text.slice(0, 300)).toBe('OperationOutcome');
  });
});
