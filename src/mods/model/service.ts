// MODS Service: a social care package (MODS data browser, complete).
import type { z } from 'zod';
import { coding, date, list, subjectRef, text, versioned } from './primitives.js';

export const service = versioned('MODS-Service', {
  subjectOfCare: subjectRef,
  socialCarePackageName: coding.optional(),
  socialCarePackageType: coding.optional(),
  serviceStartDate: date.optional(),
  serviceEndDate: date.optional(),
  careFundingSource: coding.optional(),
  serviceType: list(coding),
  serviceDescription: text,
  serviceSchedule: text.optional(),
  comment: text.optional(),
});
export type Service = z.output<typeof service>;
export type ServiceInput = z.input<typeof service>;
