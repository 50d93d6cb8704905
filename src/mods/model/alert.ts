// MODS Alert (SCIP MODS-Alert, complete): a warning about the person or their surroundings.
import type { z } from 'zod';
import { VALUE_SETS } from '../terminology.js';
import { boundCoding, concept, dateTime, list, ref, subjectRef, text, versioned } from './primitives.js';

export const alert = versioned('MODS-Alert', {
  subjectOfCare: subjectRef,
  status: boundCoding(VALUE_SETS.alertStatus.valueSet),
  code: concept.optional(),
  category: list(boundCoding(VALUE_SETS.alertCategory.valueSet)),
  startDate: dateTime.optional(),
  endDate: dateTime.optional(),
  informed: list(ref),
  involved: list(ref),
  text: text.optional(),
});
export type Alert = z.output<typeof alert>;
export type AlertInput = z.input<typeof alert>;
