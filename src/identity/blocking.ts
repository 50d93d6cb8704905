// Blocking: the keys under which a record is filed so that matching compares it only with records
// sharing at least one key — a few hundred candidates in an index of millions, never a scan. Each
// rule is chosen to survive the errors another rule does not (a typo in the date of birth, a house
// move, a nickname, swapped names), so a true match shares at least one key unless it is corrupted
// in nearly every field.
import type { MatchFeatures } from './features.js';
import { canonicalNames } from './nicknames.js';
import { phonetic } from './normalise.js';

export function blockingKeys(f: MatchFeatures): string[] {
  const keys = new Set<string>();
  if (f.nhsNumber) keys.add(`nhs:${f.nhsNumber}`);
  const dob = f.birthDate?.day ? `${f.birthDate.year}${f.birthDate.month}${f.birthDate.day}` : undefined;
  const familyCode = phonetic(f.family)?.[0];
  const givenCodes = givenKeys(f.given);
  // Exact date of birth survives any name error; surname sound + birth year survives a date typo.
  if (dob) keys.add(`dob:${dob}`);
  if (familyCode && f.birthDate) keys.add(`fy:${familyCode}:${f.birthDate.year}`);
  // Given name sound + birth year survives a surname typo or change together with a date typo and a move.
  if (f.birthDate) for (const g of givenCodes) keys.add(`gy:${g}:${f.birthDate.year}`);
  // Both names by sound, in either order, survive a wrong date of birth and a house move.
  if (familyCode) for (const g of givenCodes) keys.add(`nn:${[g, familyCode].sort().join(':')}`);
  // Given name at the same postcode survives a surname change or a badly typed surname and date.
  const postcode = f.addresses[0]?.postcode?.unit;
  if (postcode) for (const g of givenCodes) keys.add(`gp:${g}:${postcode}`);
  return [...keys];
}

/** A given name's blocking forms: the head of each nickname family it belongs to, or its sound. */
function givenKeys(given: string | undefined): string[] {
  if (!given) return [];
  const canonical = canonicalNames(given);
  if (canonical.length) return canonical.map((c) => phonetic(c)?.[0] ?? c);
  const code = phonetic(given)?.[0];
  return code ? [code] : [];
}
