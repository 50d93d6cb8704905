// Normal forms of the demographics identity matching compares: names as upper-case Latin letters,
// UK postcodes split into their units, dates of birth at their stated precision.
import { parse as parsePostcode } from 'postcode';
import { doubleMetaphone } from 'double-metaphone';

/** Upper-case A–Z only: accents folded, apostrophes, hyphens and spaces dropped ("O'Brien-Smith" → "OBRIENSMITH"). */
export function normaliseName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const folded = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z]/g, '');
  return folded || undefined;
}

/** Both Double Metaphone codes of a normalised name, for "sounds like" comparison and blocking. */
export function phonetic(name: string | undefined): [string, string] | undefined {
  if (!name) return undefined;
  const [primary, alternate] = doubleMetaphone(name);
  return primary ? [primary, alternate || primary] : undefined;
}

export interface Postcode {
  /** "SW1A 1AA" */
  unit: string;
  /** "SW1A 1" */
  sector: string;
  /** "SW1A" (the outward code) */
  district: string;
}

export function normalisePostcode(value: string | undefined): Postcode | undefined {
  if (!value) return undefined;
  const p = parsePostcode(value);
  return p.valid ? { unit: p.postcode, sector: p.sector, district: p.outcode } : undefined;
}

/** An address line reduced to comparable tokens: upper case, punctuation gone, common street words abbreviated. */
export function normaliseAddressLine(line: string | undefined): string | undefined {
  if (!line) return undefined;
  const tokens = line
    .toUpperCase()
    .replace(/[^A-Z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => STREET_WORDS[t] ?? t);
  return tokens.length ? tokens.join(' ') : undefined;
}

const STREET_WORDS: Readonly<Record<string, string>> = {
  STREET: 'ST', ROAD: 'RD', AVENUE: 'AVE', LANE: 'LN', DRIVE: 'DR', CLOSE: 'CL', COURT: 'CT', CRESCENT: 'CRES',
  PLACE: 'PL', SQUARE: 'SQ', TERRACE: 'TER', GARDENS: 'GDNS', GROVE: 'GR', PARK: 'PK', FLAT: 'FLAT', APARTMENT: 'FLAT',
};

/** The house number of a normalised address line (its first token with a digit), if any. */
export function houseNumber(line: string | undefined): string | undefined {
  return line?.split(' ').find((t) => /\d/.test(t));
}

/** A FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) as its parts; undefined when malformed. */
export interface BirthDate {
  year: string;
  month?: string;
  day?: string;
}

export function parseBirthDate(value: string | undefined): BirthDate | undefined {
  const m = value ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value) : null;
  if (!m) return undefined;
  return { year: m[1], ...(m[2] ? { month: m[2] } : {}), ...(m[3] ? { day: m[3] } : {}) };
}
