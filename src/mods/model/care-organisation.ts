// MODS Care organisation: a care provider, GP practice or local authority (SCIP MODS-CareOrganisation).
import type { z } from 'zod';
import { address, coding, contactDetails, list, text, versioned } from './primitives.js';

export const careOrganisation = versioned('MODS-CareOrganisation', {
  name: text,
  /** ODS code, or CQC provider id such as 1-123456789. */
  identifier: text,
  serviceType: list(coding),
  address: address.optional(),
  contactDetails: contactDetails.optional(),
});
export type CareOrganisation = z.output<typeof careOrganisation>;
export type CareOrganisationInput = z.input<typeof careOrganisation>;
