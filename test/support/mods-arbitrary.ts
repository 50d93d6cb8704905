// fast-check arbitraries for MODS records, derived from the class schemas themselves: the walker follows
// the zod definitions (objects, optionals, lists, enums, regex-checked strings) and uses the domain
// generators below for the MODS building blocks, so a new element in a schema is generated for free.
import fc from 'fast-check';
import { z } from 'zod';
import { isValidNhsNumber } from '../../src/fhir/profiles/nhs-number.js';
import type { ModsClass } from '../../src/mods/classes.js';
import {
  address, coding, concept, contactDetails, date, dateTime, instant, language, nhsNumber, odsCode, personName, recordId, ref, subjectRef, text, time,
} from '../../src/mods/model/primitives.js';
import { VALUE_SETS } from '../../src/mods/terminology.js';
import { localTimeExists } from '../../src/mods/uk-time.js';

const words = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.'()-]{0,30}[A-Za-z0-9.]$/);
/** Free text as people write it, including newlines, accents, quotes and markup-like characters. */
const freeText = fc.oneof(words, fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).filter((s) => s.trim().length > 0));
const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const withoutUndefined = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const fullDate = fc.record({ y: fc.integer({ min: 1900, max: 2030 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${y}-${pad(m)}-${pad(d)}`);
const partialDate = fc.oneof(fullDate, fullDate.map((d) => d.slice(0, 7)), fullDate.map((d) => d.slice(0, 4)));
const clock = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) });
const localTime = fc.oneof(clock.map(({ h, m }) => `${pad(h)}:${pad(m)}`), clock.map(({ h, m, s }) => `${pad(h)}:${pad(m)}:${pad(s)}`));
const offset = fc.constantFrom('Z', '+00:00', '+01:00', '-05:00');
const instantArb = fc.tuple(fullDate, clock, offset).map(([d, { h, m, s }, o]) => `${d}T${pad(h)}:${pad(m)}:${pad(s)}${o}`);
const dateTimeArb = fc.oneof(fullDate, instantArb, fc.tuple(fullDate, clock, offset).map(([d, { h, m }, o]) => `${d}T${pad(h)}:${pad(m)}${o}`));

const nhsNumberArb = fc
  .integer({ min: 0, max: 99_999_999 })
  .map((n) => {
    const nine = `9${String(n).padStart(8, '0')}`;
    const sum = [...nine].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    return `${nine}${check}`;
  })
  .filter(isValidNhsNumber);
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9\-.]{0,20}$/);
const url = fc.webUrl({ validSchemes: ['https'] });

const codingArb = fc
  .record({ system: optional(url), code: optional(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/)), display: optional(words) })
  .filter((c) => c.code !== undefined || c.display !== undefined)
  .map(withoutUndefined);
const conceptArb = fc
  .record({ system: optional(url), code: optional(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/)), display: optional(words), text: optional(freeText) })
  .filter((c) => c.code !== undefined || c.display !== undefined || c.text !== undefined)
  .map(withoutUndefined);
const refArb = fc
  .tuple(fc.oneof(fc.record({ ref: idArb }), fc.record({ nhsNumber: nhsNumberArb }), fc.record({ odsCode: fc.stringMatching(/^[A-Z0-9]{3,6}$/) }), fc.record({ identifier: words }), fc.constant({})), optional(words))
  .filter(([r, display]) => Object.keys(r).length > 0 || display !== undefined)
  .map(([r, display]) => withoutUndefined({ ...r, display }));
const subjectRefArb = fc.tuple(fc.oneof(fc.record({ ref: idArb }), fc.record({ nhsNumber: nhsNumberArb })), optional(words)).map(([r, display]) => withoutUndefined({ ...r, display }));
const personNameArb = fc.record({ given: words, family: words, preferred: optional(words), title: optional(fc.constantFrom('Mr', 'Mrs', 'Ms', 'Dr', 'Mx')) }).map(withoutUndefined);
const addressArb = fc
  .record({
    lines: fc.array(words, { minLength: 1, maxLength: 5 }),
    town: optional(words),
    county: optional(words),
    postcode: optional(fc.constantFrom('LS6 2AB', 'M1 3HE', 'SW1A 1AA', 'EC1A1BB', 'b33 8th')),
    uprn: optional(fc.stringMatching(/^\d{1,12}$/)),
    use: optional(fc.constantFrom('home', 'work', 'temp', 'old', 'billing')),
    startDate: optional(partialDate),
    endDate: optional(partialDate),
  })
  .map(({ lines, ...rest }) => withoutUndefined({ ...Object.fromEntries(lines.map((l, i) => [`addressEntry${i + 1}`, l])), ...rest }));
const contactPoint = fc.record({ value: words, use: optional(fc.constantFrom('home', 'work', 'mobile', 'temp', 'old')) }).map(withoutUndefined);
const contactDetailsArb = fc
  .record({ telephoneDetails: optional(fc.array(contactPoint, { minLength: 1, maxLength: 2 })), emailAddressDetails: optional(fc.array(contactPoint, { minLength: 1, maxLength: 2 })) })
  .map(withoutUndefined)
  .filter((c) => Object.keys(c).length > 0);
const languageArb = fc.record({ system: fc.constant('urn:ietf:bcp:47'), code: fc.constantFrom('en', 'pl', 'cy', 'ur', 'pa', 'q4', 'en-GB') });

/** The building blocks, by schema identity. */
const LEAVES = new Map<z.ZodType, fc.Arbitrary<unknown>>([
  [text, freeText],
  [date, partialDate],
  [dateTime, dateTimeArb],
  [instant, instantArb],
  [time, localTime],
  [recordId, idArb],
  [nhsNumber, nhsNumberArb],
  [odsCode, fc.stringMatching(/^[A-Z0-9]{3,8}$/)],
  [coding, codingArb],
  [concept, conceptArb],
  [language, languageArb],
  [ref, refArb],
  [subjectRef, subjectRefArb],
  [personName, personNameArb],
  [address, addressArb],
  [contactDetails, contactDetailsArb],
]);

function boundArbitrary(valueSet: string): fc.Arbitrary<unknown> {
  const vs = Object.values(VALUE_SETS).find((v) => v.valueSet === valueSet);
  if (!vs) throw new Error(`no value set ${valueSet}`);
  // Canonical form: system and display from the value set (the input forms are tested elsewhere).
  return fc.constantFrom(...vs.concepts).map(([code, display]) => ({ system: vs.system, code, display }));
}

/** An arbitrary for the input side of a schema. */
export function arbitraryOf(schema: z.ZodType): fc.Arbitrary<unknown> {
  const leaf = LEAVES.get(schema);
  if (leaf) return leaf;
  const meta = z.globalRegistry.get(schema) as { valueSet?: string; systems?: string[]; fixedCoding?: unknown } | undefined;
  if (meta?.fixedCoding) return fc.constant(meta.fixedCoding);
  if (meta?.valueSet) return boundArbitrary(meta.valueSet);
  if (meta?.systems) return fc.record({ system: fc.constantFrom(...meta.systems), code: fc.stringMatching(/^\d{6,12}$/), display: optional(words) }).map(withoutUndefined);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'optional':
    case 'default':
      return arbitraryOf(def.innerType as z.ZodType);
    case 'pipe':
      return arbitraryOf(def.in as z.ZodType);
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const entries = Object.entries(shape).filter(([k]) => k !== 'subjectOfCareId');
      const required = entries.filter(([, s]) => !['optional', 'default'].includes((s._zod.def as { type: string }).type)).map(([k]) => k);
      return fc.record(Object.fromEntries(entries.map(([k, s]) => [k, arbitraryOf(s)])), { requiredKeys: required });
    }
    case 'array':
      return fc.array(arbitraryOf(def.element as z.ZodType), { minLength: 1, maxLength: 3 });
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.integer({ min: 1, max: 50 });
    case 'literal':
      return fc.constant((def.values as unknown[])[0]);
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'string': {
      if (def.format === 'url') return url;
      const pattern = (def.checks as { _zod: { def: { format?: string; pattern?: RegExp } } }[] | undefined)?.find((c) => c._zod.def.format === 'regex')?._zod.def.pattern;
      return pattern ? fc.stringMatching(pattern) : freeText;
    }
    default:
      throw new Error(`No arbitrary for zod type ${def.type}`);
  }
}

/** Records of a class that its schema accepts (cross-field rules are met by filtering). */
export function recordArbitrary(cls: ModsClass): fc.Arbitrary<unknown> {
  return arbitraryOf(cls.schema)
    .map((r) => withTimeThatExists(r as Record<string, unknown>))
    .filter((r) => cls.schema.safeParse(r).success);
}

/** Observation times go with a full date and must exist in UK local time; fix rather than reject. */
function withTimeThatExists(r: Record<string, unknown>): Record<string, unknown> {
  if (typeof r.time !== 'string' || typeof r.date !== 'string') return r;
  const date = r.date.length === 10 ? r.date : `${r.date.slice(0, 4)}-06-15`;
  return localTimeExists(date, r.time) ? { ...r, date } : { ...r, date, time: '12:00' };
}
