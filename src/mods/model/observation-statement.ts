// The generic MODS observation (the Preference class, complete in the MODS data browser), which
// Strength, Wish and Need reuse (mods.md §2.1): what was stated or observed, about whom, when,
// where and by whom.
import type { z } from 'zod';
import { localTimeExists } from '../uk-time.js';
import { coding, date, list, ref, subjectRef, text, time } from './primitives.js';

export const observationShape = {
  subjectOfCare: subjectRef,
  /** The Coding child class: a coded form of the statement. */
  code: coding.optional(),
  freeText: text.optional(),
  date,
  time: time.optional(),
  location: ref.optional(),
  careActor: list(ref),
};

/**
 * MODS Date and Time are separate; FHIR joins them into one dateTime in UK local time, which needs a
 * full date under a time, and a time that exists on that day (not in the hour the clocks skip).
 */
export function checkLocalTime(o: { date: string; time?: string }, ctx: z.RefinementCtx): void {
  if (o.time === undefined) return;
  if (o.date.length !== 10) ctx.addIssue({ code: 'custom', path: ['time'], message: 'a time needs a full date (YYYY-MM-DD)' });
  else if (!localTimeExists(o.date, o.time)) ctx.addIssue({ code: 'custom', path: ['time'], message: `${o.time} does not exist on ${o.date} in UK local time (the clocks went forward)` });
}
