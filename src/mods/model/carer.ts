// MODS Carer: an unpaid carer of the subject of care (mods.md §2.3 proposal).
import { z } from 'zod';
import { address, coding, contactDetails, personName, subjectRef, versioned } from './primitives.js';

export const carer = versioned('MODS-Carer', {
  subjectOfCare: subjectRef,
  name: personName,
  /** Family or other relationship to the person, e.g. daughter. */
  relationship: coding.optional(),
  contactDetails: contactDetails.optional(),
  carerStatus: coding.optional(),
  livesWithSubject: z.boolean().optional(),
  isKeyContact: z.boolean().optional(),
  address: address.optional(),
});
export type Carer = z.output<typeof carer>;
export type CarerInput = z.input<typeof carer>;
