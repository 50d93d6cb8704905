// MODS Discharge details (mods.md §2.3 proposal): the person discharged from a hospital or care service.
import type { z } from 'zod';
import { coding, dateTime, ref, subjectRef, text, versioned } from './primitives.js';

export const discharge = versioned('MODS-DischargeDetails', {
  subjectOfCare: subjectRef,
  dischargeDate: dateTime,
  admissionDate: dateTime.optional(),
  serviceProvider: ref.optional(),
  location: ref.optional(),
  dischargeDestination: coding.optional(),
  dischargeMethod: coding.optional(),
  reason: coding.optional(),
  comment: text.optional(),
});
export type Discharge = z.output<typeof discharge>;
export type DischargeInput = z.input<typeof discharge>;
