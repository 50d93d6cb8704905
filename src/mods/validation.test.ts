// Bad MODS input: every problem is reported, each with its MODS path.
import { describe, expect, it } from 'vitest';
import { FhirError } from '../fhir/errors.js';
import { parseMods } from './adapter.js';
import { modsClass } from './classes.js';

function problems(className: string, input: unknown): [string, string][] {
  const cls = modsClass(className);
  if (!cls) throw new Error(className);
  try {
    parseMods(cls, input);
  } catch (err) {
    if (!(err instanceof FhirError)) throw err;
    expect(err.status).toBe(422);
    return err.issues.map((i) => [i.expression?.[0] ?? '', i.diagnostics ?? '']);
  }
  return [];
}

describe('MODS validation', () => {
  it('names a missing required element by its path', () => {
    expect(problems('alert', { subjectOfCare: { ref: 'soc-1' } })).toEqual([['alert.status', 'alert.status: required']]);
  });

  it('reports every problem at once, nested paths included', () => {
    const found = problems('subject-of-care', {
      name: { given: 'Ann' },
      identification: { nhsNumber: '9990000019' },
      dateOfBirth: '14/05/1938',
      genderIdentity: { code: '7' },
      ethnicity: { system: 'http://example.org/other', code: 'A' },
      sexualOrientation: { system: 'http://snomed.info/sct', code: '20430005' },
      address: [{ addressEntry1: '1 Road', addressEntry3: 'Leeds', postcode: 'not a postcode' }],
      favouriteColour: 'blue',
    });
    const paths = found.map(([p]) => p);
    expect(paths).toEqual(
      expect.arrayContaining([
        'subjectOfCare.name.family',
        'subjectOfCare.identification.nhsNumber',
        'subjectOfCare.dateOfBirth',
        'subjectOfCare.genderIdentity',
        'subjectOfCare.ethnicity',
        'subjectOfCare.address[0].addressEntry2',
        'subjectOfCare.address[0].postcode',
        'subjectOfCare.favouriteColour',
      ]),
    );
    expect(found.find(([p]) => p === 'subjectOfCare.identification.nhsNumber')?.[1]).toMatch(/modulus 11/);
    expect(found.find(([p]) => p === 'subjectOfCare.genderIdentity')?.[1]).toMatch(/'7' is not a code/);
  });

  it('refuses a code outside a required binding, a wrong About Me section code and a time the clocks skip', () => {
    expect(problems('alert', { subjectOfCare: { ref: 'a' }, status: { code: 'resolved' } })[0][0]).toBe('alert.status');
    expect(problems('about-me', { subjectOfCare: { ref: 'a' }, sections: { wellness: { code: { code: '1515861000000103' } } } })[0][0]).toBe('aboutMe.sections.wellness.code');
    expect(problems('preference', { subjectOfCare: { ref: 'a' }, date: '2026-03-29', time: '01:30' })).toEqual([
      ['preference.time', 'preference.time: 01:30 does not exist on 2026-03-29 in UK local time (the clocks went forward)'],
    ]);
  });

  it('keeps references unambiguous', () => {
    expect(problems('alert', { subjectOfCare: { ref: 'a', nhsNumber: '9990000018' }, status: { code: 'active' } })[0][0]).toBe('alert.subjectOfCare');
    expect(problems('risk', { subjectOfCare: { ref: 'a' }, category: { code: 'falls' }, informed: [{ ref: 'x', odsCode: 'B86001' }] })[0][0]).toBe('risk.informed[0]');
  });

  it('refuses a record that is not an object, and a wrong resourceType', () => {
    expect(problems('alert', [1, 2])).toEqual([['alert', 'alert: a MODS MODS-Alert record must be a JSON object']]);
    expect(problems('alert', { resourceType: 'MODS-Risk', subjectOfCare: { ref: 'a' }, status: { code: 'active' } })[0][0]).toBe('alert.resourceType');
  });

  it('accepts the documented input forms and gives their canonical form', () => {
    const cls = modsClass('subject-of-care');
    if (!cls) throw new Error('class');
    const record = parseMods(cls, {
      subjectOfCareId: 'soc-9',
      name: { given: 'Ann', family: 'Lee' },
      dateOfBirth: '1950-01-01',
      genderIdentity: { code: '2' },
      ethnicity: { code: 'Z' },
      sexualOrientation: { system: 'http://snomed.info/sct', code: '20430005' },
      contactDetails: { telephone: [{ value: '0113 496 0000' }], email: [] },
    });
    expect(record).toMatchObject({
      resourceType: 'MODS-SubjectOfCare',
      recordUid: 'soc-9',
      genderIdentity: { system: 'https://fhir.hl7.org.uk/CodeSystem/NHSDataModelAndDictionary-PersonStatedGenderCode', code: '2', display: 'Female' },
      contactDetails: { telephoneDetails: [{ value: '0113 496 0000' }] },
    });
  });
});
