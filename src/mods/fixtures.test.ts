// The hand-written realistic records (mods.md §5 and more, test/fixtures/mods): each validates, maps to
// FHIR that passes R4 + UK Core validation, and comes back field by field.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modsClass } from './classes.js';
import { modsValidator, roundTrip } from '../../test/support/mods.js';

const DIR = join(import.meta.dirname, '../../test/fixtures/mods');
const validator = modsValidator();

/** Documented canonical renames: synonyms read back under their MODS name. */
const RENAMED: Record<string, string> = { telephone: 'telephoneDetails', email: 'emailAddressDetails', subjectOfCareId: 'recordUid' };

/**
 * Every element of the input is in the output at the same path with the same value. Canonical form may
 * add (a bound code's system and display, a default status) but never drop or change what was sent,
 * except seconds of :00 on a time and empty lists, which are documented as the same value.
 */
function expectContained(input: unknown, output: unknown, path: string): void {
  if (Array.isArray(input)) {
    if (input.length === 0) return;
    expect(Array.isArray(output), path).toBe(true);
    expect((output as unknown[]).length, path).toBe(input.length);
    input.forEach((v, i) => expectContained(v, (output as unknown[])[i], `${path}[${i}]`));
  } else if (typeof input === 'object' && input !== null) {
    for (const [k, v] of Object.entries(input)) expectContained(v, (output as Record<string, unknown>)?.[RENAMED[k] ?? k], `${path}.${k}`);
  } else if (path.endsWith('.time') && typeof input === 'string' && input.endsWith(':00') && input.length === 8) {
    expect(output, path).toBe(input.slice(0, 5));
  } else {
    expect(output, path).toEqual(input);
  }
}

describe('MODS fixture records', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('cover every class', () => {
    const classes = new Set(files.map((f) => f.split('.')[0]));
    for (const name of ['subject-of-care', 'care-worker', 'care-organisation', 'proxy', 'carer', 'about-me', 'alert', 'risk', 'allergy', 'preference', 'strength', 'wish', 'need', 'service', 'task', 'location', 'document', 'admission', 'discharge']) {
      expect(classes.has(name), name).toBe(true);
    }
  });

  for (const file of files) {
    it(file, () => {
      const cls = modsClass(file.split('.')[0]);
      if (!cls) throw new Error(`no MODS class for ${file}`);
      const input = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as unknown;
      const { record, entries, back } = roundTrip(cls, input);
      for (const { resource } of entries) expect(validator.validate(resource), `${resource.resourceType} valid`).toEqual([]);
      expect(back).toEqual(record);
      expectContained(input, back, cls.key);
    });
  }
});
