// Golden SQL: the exact statement and parameters each search feature compiles to. Execution of the
// same features against both databases is covered by test/fhir-search.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../fhir/definitions.js';
import { parseSearch } from '../../fhir/search/parse.js';
import { compileCount, compileSearch } from './compile.js';
import { createParamRegistry } from './registry.js';

const defs = loadDefinitions();
const ctx = { registry: createParamRegistry(defs), localBases: ['http://us/fhir'] };
const compile = (type: string, query: string, keyset?: { keys: (string | null)[]; id: string }): ReturnType<typeof compileSearch> =>
  compileSearch(ctx, 't1', parseSearch(defs, type, new URLSearchParams(query).entries()), keyset);

describe('compileSearch', () => {
  it('reads a selective filter\'s ids from its index, and checks an open date range per row with EXISTS', () => {
    const c = compile('Patient', 'family=Sm%C3%ADth&birthdate=ge1950');
    expect(c.text).toBe(
      'SELECT x.id, x.content FROM (SELECT r.id, r.content FROM resource r WHERE r.tenant = $1 AND r.type = $2 AND NOT r.deleted ' +
        'AND EXISTS (SELECT 1 FROM sp_date t1 WHERE t1.tenant = $1 AND t1.rtype = $2 AND t1.rid = r.id AND t1.code = $6 AND ' +
        '(((t1.hi > $7::bigint OR (t1.lo >= $8::bigint AND t1.lo < $7::bigint AND t1.hi <= $7::bigint))))) ' +
        'AND r.id IN (SELECT t0.rid FROM sp_string t0 WHERE t0.tenant = $1 AND t0.rtype = $2 AND t0.code = $3 AND (t0.norm >= $4 AND t0.norm < $5))) x ORDER BY x.id ASC LIMIT $9',
    );
    // The prefix "smith" (accents removed) is the index range [smith, smiti).
    expect(c.params).toEqual(['t1', 'Patient', 'family', 'smith', 'smiti', 'birthdate', Date.UTC(1951, 0, 1), Date.UTC(1950, 0, 1), 21]);
  });

  it('intersects the id sets of several selective filters; a common value or a short prefix is checked per row', () => {
    const both = compile('Patient', 'family=smith&birthdate=1950-03-04');
    expect(both.text).toContain('AND r.id IN (SELECT t0.rid FROM sp_string t0 WHERE');
    expect(both.text).toContain(' INTERSECT SELECT t1.rid FROM sp_date t1 WHERE');
    expect(both.text).not.toContain('EXISTS');
    const common = { ...ctx, selectivity: { commonRows: (table: string, value: string) => (table === 'sp_token' && value === 'male' ? 50_000 : 0) } };
    const gendered = compileSearch(common, 't1', parseSearch(defs, 'Patient', new URLSearchParams('gender=male&identifier=http://x|123&family=sm').entries()));
    expect(gendered.text).toContain('EXISTS (SELECT 1 FROM sp_token t0 WHERE');
    expect(gendered.text).toContain('EXISTS (SELECT 1 FROM sp_string t2 WHERE');
    expect(gendered.text).toContain('AND r.id IN (SELECT t1.rid FROM sp_token t1 WHERE');
    expect(gendered.text).not.toContain('INTERSECT');
  });

  it('escapes LIKE wildcards in :contains text', () => {
    expect(compile('Patient', 'family:contains=50%25_off').params).toContain('%50\\%\\_off%');
  });

  it('compiles :not as NOT EXISTS and :missing on the parameter code alone', () => {
    expect(compile('Patient', 'gender:not=male').text).toContain('NOT EXISTS (SELECT 1 FROM sp_token t0 WHERE');
    const missing = compile('Patient', 'gender:missing=true');
    expect(missing.text).toContain('NOT EXISTS (SELECT 1 FROM sp_token t0 WHERE t0.tenant = $1 AND t0.rtype = $2 AND t0.rid = r.id AND t0.code = $3)');
  });

  it('serves exact security labels from the resource row, and anything else from sp_token', () => {
    const exact = compile('Flag', '_security:not=http://s|restricted,http://s|secret');
    expect(exact.text).toContain('AND NOT coalesce(r.security && $3::text[], false)');
    expect(exact.params[2]).toEqual(['http://s|restricted', 'http://s|secret']);
    expect(compile('Flag', '_security=http://s|clinical').text).toContain('AND coalesce(r.security && $3::text[], false)');
    expect(compile('Flag', '_security=restricted').text).toContain('EXISTS (SELECT 1 FROM sp_token t0');
    expect(compile('Flag', '_security:missing=true').text).toContain('NOT EXISTS (SELECT 1 FROM sp_token t0');
  });

  it('nests chains through sp_reference with one branch per target type', () => {
    const c = compile('Observation', 'subject:Patient.family=x');
    expect(c.text).toContain(
      'EXISTS (SELECT 1 FROM sp_reference c0 WHERE c0.tenant = $1 AND c0.rtype = $2 AND c0.rid = r.id AND c0.code = $7 AND ((c0.target_type = $3 AND ' +
        'EXISTS (SELECT 1 FROM sp_string t1 WHERE t1.tenant = c0.tenant AND t1.rtype = $3 AND t1.rid = c0.target_id AND t1.code = $4 AND ((t1.norm >= $5 AND t1.norm < $6)))))',
    );
    expect(c.params).toEqual(['t1', 'Observation', 'Patient', 'family', 'x', 'y', 'subject', 21]);
  });

  it('compiles _has as a reference pointing back at the row', () => {
    const c = compile('Patient', '_has:Observation:patient:code=1234');
    expect(c.text).toContain('EXISTS (SELECT 1 FROM sp_reference h0 WHERE h0.tenant = $1 AND h0.rtype = $3 AND h0.code = $6 AND h0.target_type = $2 AND h0.target_id = r.id AND EXISTS (SELECT 1 FROM sp_token t1 WHERE t1.tenant = h0.tenant AND t1.rtype = $3 AND t1.rid = h0.rid');
    expect(c.params).toEqual(['t1', 'Patient', 'Observation', 'code', '1234', 'patient', 21]);
  });

  it('rewrites references to our own base as relative', () => {
    const c = compile('Observation', 'subject=http://us/fhir/Patient/7');
    expect(c.params).toEqual(expect.arrayContaining(['7', 'Patient']));
    expect(c.params).not.toContain('http://us/fhir/Patient/7');
    expect(compile('Observation', 'subject=http://them/fhir/Patient/7').params).toContain('http://them/fhir/Patient/7');
  });

  it('sorts by aggregated index values and pages by keyset', () => {
    const c = compile('Patient', '_sort=-birthdate', { keys: ['100'], id: 'abc' });
    expect(c.text).toContain('(SELECT max(s0.lo) FROM sp_date s0 WHERE s0.tenant = r.tenant AND s0.rtype = r.type AND s0.rid = r.id AND s0.code = $1) AS s0');
    expect(c.text).toContain('WHERE (x.s0 < $5 OR x.s0 IS NULL OR (x.s0 = $5 AND x.id > $4)) ORDER BY x.s0 DESC NULLS LAST, x.id ASC');
    expect(c.params).toEqual(['birthdate', 't1', 'Patient', 'abc', '100', 21]);
    expect(c.sortKeyCount).toBe(1);
  });

  it('counts with the same WHERE clause', () => {
    const count = compileCount(ctx, 't1', parseSearch(defs, 'Patient', [['family', 'x']]));
    expect(count.text).toMatch(/^SELECT count\(\*\)::int AS total FROM resource r WHERE r.tenant = \$1 AND r.type = \$2 AND NOT r.deleted AND EXISTS/);
  });

  it('binds every value: no user text in the SQL', () => {
    const nasty = "x'); DROP TABLE resource; --";
    const c = compile('Patient', `family=${encodeURIComponent(nasty)}&identifier=${encodeURIComponent(nasty)}`);
    expect(c.text).not.toContain('DROP');
    const placeholders = new Set([...c.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect(placeholders.size).toBe(c.params.length);
  });
});

describe('prefixRange', () => {
  it('bounds a prefix by incrementing its last code point', async () => {
    const { prefixRange, SqlParams } = await import('./sql.js');
    const params = new SqlParams();
    expect(prefixRange('c', 'abz', params)).toBe('c >= $1 AND c < $2');
    expect(params.values).toEqual(['abz', 'ab{']);
    const astral = new SqlParams();
    prefixRange('c', 'a😀', astral);
    expect(astral.values).toEqual(['a😀', 'a😁']);
  });
});
