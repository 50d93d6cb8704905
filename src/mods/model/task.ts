// MODS Task: an activity to be done for the person (MODS data browser; Related activities as proposed).
import type { z } from 'zod';
import { VALUE_SETS } from '../terminology.js';
import { boundCoding, dateTime, list, period, ref, subjectRef, text, versioned } from './primitives.js';

export const task = versioned('MODS-Task', {
  status: boundCoding(VALUE_SETS.taskStatus.valueSet),
  priority: boundCoding(VALUE_SETS.taskPriority.valueSet).optional(),
  /** Defaults to unknown: FHIR requires an intent on every Task. */
  intent: boundCoding(VALUE_SETS.taskIntent.valueSet).default({ system: VALUE_SETS.taskIntent.system, code: 'unknown', display: 'Unknown' }),
  description: text.optional(),
  comments: text.optional(),
  subjectOfCare: subjectRef.optional(),
  instruction: ref.optional(),
  location: ref.optional(),
  responsibleParty: ref.optional(),
  requestedPeriod: period.optional(),
  relatedActivities: list(ref),
  authoredOn: dateTime.optional(),
});
export type Task = z.output<typeof task>;
export type TaskInput = z.input<typeof task>;
