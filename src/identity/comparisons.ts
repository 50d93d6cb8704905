// The comparisons of Fellegi–Sunter matching: for each pair of records, one agreement level per
// comparison (best level first), or null when either record lacks the field (no evidence either way).
import { jaroWinkler } from '@skyra/jaro-winkler';
import type { Address, MatchFeatures } from './features.js';
import { areNicknames } from './nicknames.js';
import { houseNumber, phonetic } from './normalise.js';
import type { BirthDate } from './normalise.js';

export const COMPARISONS = {
  nhsNumber: ['same', 'different'],
  given: ['exact', 'nickname', 'one-edit', 'jaro-winkler-0.92', 'phonetic', 'jaro-winkler-0.80', 'initial', 'different'],
  family: ['exact', 'swapped-with-given', 'one-edit', 'jaro-winkler-0.92', 'phonetic', 'jaro-winkler-0.80', 'different'],
  birthDate: ['exact', 'day-month-transposed', 'one-digit-typo', 'same-year', 'different'],
  address: ['line-and-postcode', 'postcode', 'line-and-sector', 'sector', 'district', 'different'],
  gender: ['same', 'different'],
} as const;

export type ComparisonName = keyof typeof COMPARISONS;
export const COMPARISON_NAMES = Object.keys(COMPARISONS) as ComparisonName[];

/** One level index per comparison (in COMPARISON_NAMES order); -1 where either side is missing. */
export type ComparisonVector = Int8Array;

const NULL = -1;

export function compare(a: MatchFeatures, b: MatchFeatures): ComparisonVector {
  const swapped = namesSwapped(a, b);
  const bGiven = swapped ? b.family : b.given;
  const v = new Int8Array(COMPARISON_NAMES.length);
  v[0] = a.nhsNumber && b.nhsNumber ? (a.nhsNumber === b.nhsNumber ? 0 : 1) : NULL;
  v[1] = compareGiven(a.given, bGiven);
  v[2] = swapped ? 1 : compareFamily(a.family, b.family);
  v[3] = compareBirthDates(a.birthDate, b.birthDate);
  v[4] = compareAddresses(a.addresses, b.addresses);
  v[5] = a.gender && b.gender ? (a.gender === b.gender ? 0 : 1) : NULL;
  return v;
}

/** Given and family names written the wrong way round on one record (and not simply equal). */
function namesSwapped(a: MatchFeatures, b: MatchFeatures): boolean {
  if (!a.given || !a.family || !b.given || !b.family || a.given === b.given) return false;
  return similar(a.given, b.family) && similar(a.family, b.given);
}

const similar = (x: string, y: string): boolean => x === y || jaroWinkler(x, y) >= 0.92;

function soundAlike(x: string, y: string): boolean {
  const px = phonetic(x);
  const py = phonetic(y);
  return !!px && !!py && px.some((code) => py.includes(code));
}

function compareGiven(x: string | undefined, y: string | undefined): number {
  if (!x || !y) return NULL;
  if (x === y) return 0;
  if (areNicknames(x, y)) return 1;
  if (oneEditApart(x, y)) return 2;
  const jw = jaroWinkler(x, y);
  if (jw >= 0.92) return 3;
  if (soundAlike(x, y)) return 4;
  if (jw >= 0.8) return 5;
  if ((x.length === 1 || y.length === 1) && x[0] === y[0]) return 6;
  return 7;
}

function compareFamily(x: string | undefined, y: string | undefined): number {
  if (!x || !y) return NULL;
  if (x === y) return 0;
  if (oneEditApart(x, y)) return 2;
  const jw = jaroWinkler(x, y);
  if (jw >= 0.92) return 3;
  if (soundAlike(x, y)) return 4;
  if (jw >= 0.8) return 5;
  return 6;
}

/** One keying error apart: a letter substituted, inserted or dropped, or two neighbours swapped. */
export function oneEditApart(x: string, y: string): boolean {
  if (Math.abs(x.length - y.length) > 1 || x === y) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (x.length === y.length) {
    if (x.slice(i + 1) === y.slice(i + 1)) return true; // substitution
    return x[i] === y[i + 1] && x[i + 1] === y[i] && x.slice(i + 2) === y.slice(i + 2); // transposition
  }
  return x.length > y.length ? x.slice(i + 1) === y.slice(i) : x.slice(i) === y.slice(i + 1);
}

function compareBirthDates(x: BirthDate | undefined, y: BirthDate | undefined): number {
  if (!x || !y) return NULL;
  if (!x.day || !y.day) {
    // A partial date agrees only as far as both go.
    const monthsAgree = !x.month || !y.month || x.month === y.month;
    return x.year === y.year && monthsAgree ? 3 : 4;
  }
  const dx = x.year + x.month + x.day;
  const dy = y.year + y.month + y.day;
  if (dx === dy) return 0;
  if (x.year === y.year && x.month === y.day && x.day === y.month) return 1;
  // A slip of one digit — but not in the century or decade, where a one-digit difference is as likely
  // to be a parent and child of the same name as a typo.
  let differing = 0;
  for (let i = 0; i < dx.length; i++) if (dx[i] !== dy[i]) differing += i < 3 ? 2 : 1;
  if (differing === 1) return 2;
  return x.year === y.year ? 3 : 4;
}

/** The best agreement between any address of one record and any of the other (people move). */
function compareAddresses(xs: Address[], ys: Address[]): number {
  if (!xs.length || !ys.length) return NULL;
  let best = 5;
  for (const x of xs) for (const y of ys) best = Math.min(best, compareAddress(x, y));
  return best;
}

function compareAddress(x: Address, y: Address): number {
  const sameLine = !!x.line && !!y.line && (x.line === y.line || (houseNumber(x.line) === houseNumber(y.line) && jaroWinkler(x.line, y.line) >= 0.9));
  const px = x.postcode;
  const py = y.postcode;
  if (px && py && px.unit === py.unit) return sameLine ? 0 : 1;
  if (px && py && px.sector === py.sector) return sameLine ? 2 : 3;
  if (px && py && px.district === py.district) return 4;
  return 5;
}
