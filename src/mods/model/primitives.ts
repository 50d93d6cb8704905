// The MODS building blocks every class schema is made of (mods.md §1.2, §2.3): dates, codings,
// references, names, addresses, contact details, and the Versioned record fields. Parsing a record
// through its schema gives its canonical form: the form that maps to FHIR and back unchanged.
import { z } from 'zod';
import { isValidNhsNumber } from '../../fhir/profiles/nhs-number.js';
import { ODS_CODE } from '../../fhir/profiles/uk-core.js';
import { canonicalCoding } from '../terminology.js';

/** Text elements: free text is never empty (an empty string is the same as absent, and is refused). */
export const text = z.string().min(1, 'must not be empty');

export const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
const INSTANT = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

/** MODS Date: YYYY, YYYY-MM or YYYY-MM-DD. */
export const date = z.string().regex(DATE, 'must be a date: YYYY, YYYY-MM or YYYY-MM-DD');
/**
 * MODS Date and Time: a date alone, or a date and time with its UTC offset. FHIR times carry seconds,
 * so a time to the minute (About Me's precision) gains :00 and reads back with it.
 */
export const dateTime = z
  .string()
  .refine((v) => DATE.test(v) || DATE_TIME.test(v), 'must be a date (YYYY-MM-DD) or a date and time with offset (YYYY-MM-DDThh:mm[:ss]+hh:mm)')
  .transform((v) => v.replace(/^(.{10}T\d\d:\d\d)(?=Z|[+-])/, '$1:00'));
/** A point in time to the second, with offset (FHIR instant). */
export const instant = z.string().regex(INSTANT, 'must be a date and time to the second with offset (YYYY-MM-DDThh:mm:ss+hh:mm)');
/** MODS Time: local time of day. Seconds of :00 are dropped, so 10:15 and 10:15:00 are one value. */
export const time = z
  .string()
  .regex(TIME, 'must be a time of day: hh:mm or hh:mm:ss')
  .transform((v) => (v.length === 8 && v.endsWith(':00') ? v.slice(0, 5) : v));

/** Record uids become FHIR ids, and parts of a record add a suffix: so the FHIR id grammar, 56 at most. */
export const recordId = z.string().regex(/^[A-Za-z0-9\-.]{1,56}$/, "must be 1-56 letters, digits, '-' or '.'");

export const nhsNumber = z
  .string()
  .regex(/^\d{10}$/, 'must be 10 digits without spaces')
  .refine(isValidNhsNumber, 'is not a valid NHS number (modulus 11 check digit)');

/** A code from a terminology: `{ system, code, display }` (MODS "Lookup" of a coded value). */
export const coding = z
  .strictObject({ system: z.url('must be an absolute URI').optional(), code: text.optional(), display: text.optional() })
  .refine((c) => c.code !== undefined || c.display !== undefined, 'needs a code or a display');
export type Coding = z.output<typeof coding>;

/** A coded value with optional free text (FHIR CodeableConcept with one coding). */
export const concept = z
  .strictObject({ system: z.url('must be an absolute URI').optional(), code: text.optional(), display: text.optional(), text: text.optional() })
  .refine((c) => c.code !== undefined || c.display !== undefined || c.text !== undefined, 'needs a code, a display or text');
export type Concept = z.output<typeof concept>;

/**
 * A coding bound (required) to one of our closed value sets. Canonical form fills in the system and
 * display, so `{ "code": "active" }` and the full coding are one value; unknown codes are refused.
 */
export function boundCoding(valueSetUrl: string) {
  return coding
    .transform((c, ctx) => {
      const result = canonicalCoding(valueSetUrl, c);
      if (typeof result === 'string') {
        ctx.issues.push({ code: 'custom', message: result, input: c });
        return z.NEVER;
      }
      return result;
    })
    .meta({ valueSet: valueSetUrl });
}

/** A coding required to come from one of these systems (large external terminologies: SNOMED, dm+d). */
export function codingFrom(systems: readonly string[], label: string) {
  return coding
    .refine((c) => c.system !== undefined && systems.includes(c.system) && c.code !== undefined, `needs a code and system ${label}`)
    .meta({ systems: [...systems] });
}

/** ISO 639-1 / BCP-47 language tags, plus the NHS Data Dictionary q1-q5 codes (Braille and sign languages). */
export const language = coding.refine(
  (c) => c.code === undefined || /^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|q[1-5])$/.test(c.code),
  'code must be a language tag (e.g. en, pl, cy) or q1-q5',
);

export const odsCode = z.string().regex(ODS_CODE, 'must be an ODS code: 3-10 letters and digits');

/**
 * A MODS "Lookup" reference to another record or party: exactly one of `ref` (a record uid),
 * `nhsNumber`, `odsCode` or `identifier`, and/or a `display`.
 */
export const ref = z
  .strictObject({ ref: recordId.optional(), nhsNumber: nhsNumber.optional(), odsCode: odsCode.optional(), identifier: text.optional(), display: text.optional() })
  .superRefine((r, ctx) => {
    const keys = (['ref', 'nhsNumber', 'odsCode', 'identifier'] as const).filter((k) => r[k] !== undefined);
    if (keys.length > 1) ctx.addIssue({ code: 'custom', message: `give one of ref, nhsNumber, odsCode or identifier, not ${keys.join(' and ')}` });
    if (keys.length === 0 && r.display === undefined) ctx.addIssue({ code: 'custom', message: 'needs ref, nhsNumber, odsCode, identifier or display' });
  });
export type Ref = z.output<typeof ref>;

/** A reference to a subject of care: the tenant's subjectOfCareId (`ref`) or the NHS number. */
export const subjectRef = z
  .strictObject({ ref: recordId.optional(), nhsNumber: nhsNumber.optional(), display: text.optional() })
  .refine((r) => (r.ref === undefined) !== (r.nhsNumber === undefined), 'give either ref (the subjectOfCareId) or nhsNumber');
export type SubjectRef = z.output<typeof subjectRef>;

export const personName = z.strictObject({ given: text, family: text, preferred: text.optional(), title: text.optional() });
export type PersonName = z.output<typeof personName>;

export const ADDRESS_LINES = ['addressEntry1', 'addressEntry2', 'addressEntry3', 'addressEntry4', 'addressEntry5'] as const;
export const address = z
  .strictObject({
    addressEntry1: text,
    addressEntry2: text.optional(),
    addressEntry3: text.optional(),
    addressEntry4: text.optional(),
    addressEntry5: text.optional(),
    town: text.optional(),
    county: text.optional(),
    postcode: z.string().regex(/^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/, 'must be a UK postcode, e.g. LS6 2AB').optional(),
    uprn: z.string().regex(/^\d{1,12}$/, 'must be a UPRN: up to 12 digits').optional(),
    use: z.enum(['home', 'work', 'temp', 'old', 'billing']).optional(),
    startDate: date.optional(),
    endDate: date.optional(),
  })
  .superRefine((a, ctx) => {
    // Lines become FHIR Address.line in order, which cannot hold a gap.
    let last = -1;
    ADDRESS_LINES.forEach((k, i) => {
      if (a[k] !== undefined) last = i;
    });
    for (let i = 1; i < last; i++) {
      if (a[ADDRESS_LINES[i]] === undefined) ctx.addIssue({ code: 'custom', path: [ADDRESS_LINES[i]], message: `required when ${ADDRESS_LINES[last]} is given (lines are in order)` });
    }
  });
export type Address = z.output<typeof address>;

const contactPoint = z.strictObject({ value: text, use: z.enum(['home', 'work', 'mobile', 'temp', 'old']).optional() });
export type ContactPoint = z.output<typeof contactPoint>;

/**
 * Person contact details. SCIP names the lists `telephoneDetails` and `emailAddressDetails`;
 * `telephone` and `email` are accepted as synonyms and read back under the SCIP names.
 */
export const contactDetails = z
  .strictObject({
    telephoneDetails: z.array(contactPoint).optional(),
    emailAddressDetails: z.array(contactPoint).optional(),
    telephone: z.array(contactPoint).optional(),
    email: z.array(contactPoint).optional(),
  })
  .refine((c) => [c.telephoneDetails, c.emailAddressDetails, c.telephone, c.email].some((l) => l?.length), 'needs a telephone number or an email address')
  .transform(({ telephone, email, telephoneDetails, emailAddressDetails }) => {
    const phones = [...(telephoneDetails ?? []), ...(telephone ?? [])];
    const emails = [...(emailAddressDetails ?? []), ...(email ?? [])];
    return { ...(phones.length ? { telephoneDetails: phones } : {}), ...(emails.length ? { emailAddressDetails: emails } : {}) };
  });
export type ContactDetails = z.output<typeof contactDetails>;

export const period = z.strictObject({ start: dateTime.optional(), end: dateTime.optional() }).refine((p) => p.start !== undefined || p.end !== undefined, 'needs a start or an end');

/** A 0..* list: an empty list is the same as an absent one, so it reads back as absent. */
export function list<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .optional()
    .transform((v) => (v && v.length > 0 ? v : undefined));
}

/**
 * The Versioned record elements every class carries (mods.md §2.1): `recordUid` becomes the FHIR id,
 * `versionNumber` the FHIR `meta.versionId`. On input both are optional; the platform assigns them.
 */
export function versioned<T extends z.core.$ZodLooseShape>(resourceType: string, shape: T) {
  return z.strictObject({
    resourceType: z.literal(resourceType, `must be '${resourceType}' (or omitted)`).default(resourceType as never),
    recordUid: recordId.optional(),
    versionNumber: z.number().int('must be a whole number').positive('must be 1 or more').optional(),
    ...shape,
  });
}
