import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../definitions.js';
import { FhirError } from '../errors.js';
import { parseSearch } from './parse.js';

const defs = loadDefinitions();
const parse = (type: string, query: string, lenient = false): ReturnType<typeof parseSearch> =>
  parseSearch(defs, type, new URLSearchParams(query).entries(), { lenient });

describe('parseSearch', () => {
  it('turns parameters into filters, result parameters into settings', () => {
    const r = parse('Patient', 'family=smith,jones&birthdate=ge1950&_count=5&_sort=-birthdate,family&_total=accurate');
    expect(r.filters).toHaveLength(2);
    expect(r.filters[0]).toMatchObject({ kind: 'param', code: 'family', values: [{ text: 'smith' }, { text: 'jones' }] });
    expect(r.count).toBe(5);
    expect(r.total).toBe('accurate');
    expect(r.sort.map((s) => [s.code, s.descending])).toEqual([['birthdate', true], ['family', false]]);
  });

  it('caps _count and keeps the canonical query for links', () => {
    const r = parse('Patient', 'family=x&_count=100000&_format=json');
    expect(r.count).toBe(1000);
    expect(r.canonical).toEqual([['family', 'x'], ['_count', '100000']]);
  });

  it('parses chains for every possible target type', () => {
    const r = parse('Observation', 'subject.name=smith');
    const chain = r.filters[0];
    expect(chain.kind).toBe('chain');
    if (chain.kind !== 'chain') return;
    const targets = (chain.param.target ?? []) as string[];
    expect(chain.targets.map((t) => t.resourceType).sort()).toEqual(targets.filter((t) => defs.searchParameters.get(t)?.has('name')).sort());
    expect(chain.targets.length).toBeGreaterThan(1);
    const typed = parse('Observation', 'subject:Patient.birthdate=2000').filters[0];
    expect(typed.kind === 'chain' && typed.targets.map((t) => t.resourceType)).toEqual(['Patient']);
  });

  it('parses nested _has', () => {
    const r = parse('Organization', '_has:Patient:organization:_has:Observation:patient:code=1234');
    expect(r.filters[0]).toMatchObject({ kind: 'has', sourceType: 'Patient', referenceCode: 'organization', next: { kind: 'has', sourceType: 'Observation' } });
  });

  it('rejects unknown parameters, modifiers and malformed values with the parameter as expression', () => {
    const cases = ['nope=1', 'family:below=x', 'birthdate=soon', 'gender:missing=perhaps', '_total=all', '_include=Patient:family', '_has:Observation:code:status=final', 'family='];
    for (const q of cases) {
      let error: unknown;
      try {
        parse('Patient', q);
      } catch (err) {
        error = err;
      }
      expect(error, q).toBeInstanceOf(FhirError);
      expect((error as FhirError).status, q).toBe(400);
      expect((error as FhirError).issues[0].expression?.length, q).toBe(1);
    }
  });

  it('ignores bad parameters when lenient and says which', () => {
    const r = parse('Patient', 'family=x&nope=1&birthdate=soon', true);
    expect(r.filters).toHaveLength(1);
    expect(r.ignored).toEqual(['nope', 'birthdate']);
  });
});
