// MODS Proxy for subject of care: a third party entitled to decide for the person (SCIP MODS-ProxyForSubjectOfCare).
import type { z } from 'zod';
import { address, coding, contactDetails, date, personName, subjectRef, versioned } from './primitives.js';

export const proxy = versioned('MODS-ProxyForSubjectOfCare', {
  subjectOfCare: subjectRef,
  name: personName,
  contactDetails,
  /** Relationship to the person (UK Core PersonRelationshipType). */
  relationship: coding.optional(),
  /** The legal basis, e.g. a Lasting power of attorney for health and welfare. */
  legalBasis: coding.optional(),
  startDate: date.optional(),
  endDate: date.optional(),
  address: address.optional(),
});
export type Proxy = z.output<typeof proxy>;
export type ProxyInput = z.input<typeof proxy>;
