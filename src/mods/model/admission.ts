// MODS Admission details (mods.md §2.3 proposal): the person admitted to a hospital or care service.
import type { z } from 'zod';
import { coding, dateTime, ref, subjectRef, text, versioned } from './primitives.js';

export const admission = versioned('MODS-AdmissionDetails', {
  subjectOfCare: subjectRef,
  admissionDate: dateTime,
  /** The provider admitting the person. */
  serviceProvider: ref.optional(),
  location: ref.optional(),
  /** Where the person was admitted from (source of admission). */
  admittedFrom: coding.optional(),
  admissionMethod: coding.optional(),
  reason: coding.optional(),
  comment: text.optional(),
});
export type Admission = z.output<typeof admission>;
export type AdmissionInput = z.input<typeof admission>;
