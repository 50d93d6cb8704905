// MODS Risk (SCIP MODS-Risk, complete) with its Trigger factors and Relapse indicators.
import type { z } from 'zod';
import { coding, dateTime, list, ref, subjectRef, text, versioned } from './primitives.js';

export const risk = versioned('MODS-Risk', {
  subjectOfCare: subjectRef,
  careWorker: ref.optional(),
  /** Care and support risk category (MODS categorisation; its codes are not published, so not checked). */
  category: coding,
  startDate: dateTime.optional(),
  endDate: dateTime.optional(),
  informed: list(ref),
  involved: list(ref),
  trigger: text.optional(),
  relapseIndicators: text.optional(),
  comment: text.optional(),
  text: text.optional(),
  riskLocation: list(ref),
});
export type Risk = z.output<typeof risk>;
export type RiskInput = z.input<typeof risk>;
