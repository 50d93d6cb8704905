// MODS Allergy / adverse reaction (SCIP MODS-Allergy; elements after causativeAgent are our proposal).
import { z } from 'zod';
import { DMD, SNOMED, VALUE_SETS } from '../terminology.js';
import { boundCoding, codingFrom, date, dateTime, list, ref, subjectRef, text, versioned } from './primitives.js';

const ALLERGY_CODE = codingFrom([SNOMED, DMD], 'SNOMED CT or dm+d (UK Core AllergyCode)');

export const allergy = versioned('MODS-Allergy', {
  subjectOfCare: subjectRef,
  type: boundCoding(VALUE_SETS.typeOfReaction.valueSet).optional(),
  causativeAgent: ALLERGY_CODE,
  /** Defaults to active: FHIR requires a clinical status on every allergy that is not entered in error. */
  clinicalStatus: boundCoding(VALUE_SETS.allergyClinicalStatus.valueSet).default({ system: VALUE_SETS.allergyClinicalStatus.system, code: 'active', display: 'Active' }),
  observer: ref.optional(),
  dateRecorded: date.optional(),
  onsetDate: dateTime.optional(),
  reaction: list(z.strictObject({ manifestation: codingFrom([SNOMED], 'SNOMED CT (clinical finding)'), severity: boundCoding(VALUE_SETS.allergySeverity.valueSet).optional() })),
  comment: text.optional(),
});
export type Allergy = z.output<typeof allergy>;
export type AllergyInput = z.input<typeof allergy>;
