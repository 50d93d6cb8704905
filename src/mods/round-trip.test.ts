// Property-based round trips for every MODS class: generated records (from the schemas themselves,
// test/support/mods-arbitrary.ts) map to valid FHIR, come back unchanged, and map to the same FHIR again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookupIn, modsValidator, roundTrip, testContext } from '../../test/support/mods.js';
import { recordArbitrary } from '../../test/support/mods-arbitrary.js';
import { fhirToMods, modsToFhir } from './adapter.js';
import { MODS_CLASSES } from './classes.js';

const validator = modsValidator();

describe('MODS round trips (property-based)', () => {
  for (const cls of MODS_CLASSES) {
    it(`${cls.name}: MODS → FHIR → MODS is the identity, and the FHIR is valid R4 + UK Core`, () => {
      fc.assert(
        fc.property(recordArbitrary(cls), (input) => {
          const { record, entries, back } = roundTrip(cls, input);
          expect(back).toEqual(record);
          for (const { resource } of entries) expect(validator.validate(resource)).toEqual([]);
        }),
        { numRuns: 60 },
      );
    });

    it(`${cls.name}: FHIR → MODS → FHIR keeps every element MODS holds`, () => {
      fc.assert(
        fc.property(recordArbitrary(cls), (input) => {
          const { entries } = roundTrip(cls, input);
          const mods = fhirToMods(cls, entries[0].resource, lookupIn(entries));
          expect(modsToFhir(cls, mods, testContext())).toEqual(entries);
        }),
        { numRuns: 30 },
      );
    });
  }
});
