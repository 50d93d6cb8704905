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
}).superRefine((o, ctx) => {
  // FHIR (org-2, org-3): an organisation's address and telecom are never a home one.
  if (o.address?.use === 'home') ctx.addIssue({ code: 'custom', path: ['address', 'use'], message: "an organisation's address cannot be 'home'" });
  for (const [list, points] of Object.entries(o.contactDetails ?? {})) {
    points.forEach((p, i) => {
      if (p.use === 'home') ctx.addIssue({ code: 'custom', path: ['contactDetails', list, i, 'use'], message: "an organisation's contact details cannot be 'home'" });
    });
  }
});
export type CareOrganisation = z.output<typeof careOrganisation>;
export type CareOrganisationInput = z.input<typeof careOrganisation>;
