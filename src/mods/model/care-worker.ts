// MODS Care worker: a paid worker who provides care (mods.md §2.1, SCIP MODS-CareWorker).
import { z } from 'zod';
import { coding, contactDetails, list, personName, ref, subjectRef, text, versioned } from './primitives.js';

export const careWorker = versioned('MODS-CareWorker', {
  name: personName,
  contactDetails: contactDetails.optional(),
  /** Job role, e.g. Senior Carer. */
  role: coding.optional(),
  /** Main specialty (NHS Data Dictionary MAIN_SPECIALTY) or occupation code. */
  specialty: coding.optional(),
  /** The employing care organisation. */
  organisation: ref.optional(),
  /** Who the worker cares for: subject, role, key-worker flag and care team. */
  providesCareFor: list(
    z.strictObject({ subjectOfCare: subjectRef, role: coding.optional(), keyWorker: z.boolean().optional(), careTeam: text.optional() }),
  ),
});
export type CareWorker = z.output<typeof careWorker>;
export type CareWorkerInput = z.input<typeof careWorker>;
