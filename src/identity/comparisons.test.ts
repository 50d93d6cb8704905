import { describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { COMPARISON_NAMES, COMPARISONS, compare, oneEditApart } from './comparisons.js';
import type { ComparisonName } from './comparisons.js';
import { featuresOf } from './features.js';
import { areNicknames } from './nicknames.js';

const patient = (p: { given?: string; family?: string; birthDate?: string; postcode?: string; line?: string; gender?: Patient['gender'] }): Patient => ({
  resourceType: 'Patient',
  name: [{ given: p.given ? [p.given] : undefined, family: p.family }],
  birthDate: p.birthDate,
  gender: p.gender,
  address: p.postcode || p.line ? [{ line: p.line ? [p.line] : undefined, postalCode: p.postcode }] : undefined,
});

function levels(a: Parameters<typeof patient>[0], b: Parameters<typeof patient>[0]): Partial<Record<ComparisonName, string>> {
  const v = compare(featuresOf(patient(a)), featuresOf(patient(b)));
  return Object.fromEntries(COMPARISON_NAMES.map((n, i) => [n, v[i] < 0 ? 'missing' : COMPARISONS[n][v[i]]]));
}

describe('comparison levels', () => {
  it('grades given names from exact to different', () => {
    expect(levels({ given: 'William' }, { given: 'WILLIAM' }).given).toBe('exact');
    expect(levels({ given: 'William' }, { given: 'Bill' }).given).toBe('nickname');
    expect(levels({ given: 'Margaret' }, { given: 'Margeret' }).given).toBe('one-edit');
    expect(levels({ given: 'Catherine' }, { given: 'Kathryn' }).given).toBe('nickname');
    expect(levels({ given: 'Stephen' }, { given: 'Stefan' }).given).toBe('phonetic');
    expect(levels({ given: 'J' }, { given: 'John' }).given).toBe('initial');
    expect(levels({ given: 'Alice' }, { given: 'Norman' }).given).toBe('different');
    expect(levels({ given: 'Alice' }, {}).given).toBe('missing');
  });

  it('recognises names written the wrong way round', () => {
    const l = levels({ given: 'John', family: 'Smith' }, { given: 'Smith', family: 'John' });
    expect(l.family).toBe('swapped-with-given');
    expect(l.given).toBe('exact');
  });

  it('grades dates of birth: transposed day and month, a slip of one digit, the year alone', () => {
    expect(levels({ birthDate: '1950-03-07' }, { birthDate: '1950-03-07' }).birthDate).toBe('exact');
    expect(levels({ birthDate: '1950-03-07' }, { birthDate: '1950-07-03' }).birthDate).toBe('day-month-transposed');
    expect(levels({ birthDate: '1950-03-07' }, { birthDate: '1950-03-01' }).birthDate).toBe('one-digit-typo');
    expect(levels({ birthDate: '1950-03-07' }, { birthDate: '1950' }).birthDate).toBe('same-year');
    // A decade apart is a generation, not a typo.
    expect(levels({ birthDate: '1950-03-07' }, { birthDate: '1980-03-07' }).birthDate).toBe('different');
  });

  it('grades addresses from the same line and postcode down to the district', () => {
    expect(levels({ postcode: 'ls1 4ap', line: '12 Park Road' }, { postcode: 'LS1 4AP', line: '12 Park Rd' }).address).toBe('line-and-postcode');
    expect(levels({ postcode: 'LS1 4AP' }, { postcode: 'LS1 4AP' }).address).toBe('postcode');
    expect(levels({ postcode: 'LS1 4AP' }, { postcode: 'LS1 4ZZ' }).address).toBe('sector');
    expect(levels({ postcode: 'LS1 4AP' }, { postcode: 'LS1 9ZZ' }).address).toBe('district');
    expect(levels({ postcode: 'LS1 4AP' }, { postcode: 'M1 1AE' }).address).toBe('different');
  });

  it('knows one keying error from two', () => {
    expect(oneEditApart('SMITH', 'SMYTH')).toBe(true);
    expect(oneEditApart('SMITH', 'SMIHT')).toBe(true);
    expect(oneEditApart('SMITH', 'SMITHE')).toBe(true);
    expect(oneEditApart('SMITH', 'SIMTHE')).toBe(false);
    expect(areNicknames('PEGGY', 'MARGARET')).toBe(true);
    expect(areNicknames('PEGGY', 'ELIZABETH')).toBe(false);
  });
});
