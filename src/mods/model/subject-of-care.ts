// MODS Subject of care: the person receiving care (mods.md §2.1 Person demographics, §2.3 proposals).
import { z } from 'zod';
import { SNOMED, VALUE_SETS } from '../terminology.js';
import { address, boundCoding, codingFrom, contactDetails, date, language, list, nhsNumber, personName, recordId, ref, text, versioned } from './primitives.js';

const elements = {
  /** The supplier's own id for the person: a synonym of recordUid (api-contract.md). */
  subjectOfCareId: recordId.optional(),
  name: personName,
  identification: z
    .strictObject({
      nhsNumber: nhsNumber.optional(),
      nhsNumberVerificationStatus: boundCoding(VALUE_SETS.nhsNumberVerificationStatus.valueSet).optional(),
      localId: text.optional(),
    })
    .refine((i) => Object.keys(i).length > 0, 'needs nhsNumber, nhsNumberVerificationStatus or localId')
    .refine((i) => i.nhsNumber !== undefined || !['01', '02'].includes(i.nhsNumberVerificationStatus?.code ?? ''), {
      message: 'verification status 01/02 says a number is present: nhsNumber is required',
      path: ['nhsNumber'],
    })
    .optional(),
  dateOfBirth: date,
  genderIdentity: boundCoding(VALUE_SETS.statedGender.valueSet),
  ethnicity: boundCoding(VALUE_SETS.ethnicCategory.valueSet),
  religion: codingFrom([SNOMED], 'SNOMED CT (religious or other belief system affiliation)').optional(),
  sexualOrientation: codingFrom([SNOMED], 'SNOMED CT'),
  pregnancyStatus: codingFrom([SNOMED], 'SNOMED CT').optional(),
  firstLanguage: language.optional(),
  otherLanguage: list(language),
  interpreterRequired: z.boolean().optional(),
  immigrationStatus: text.optional(),
  address: list(address),
  contactDetails: contactDetails.optional(),
  registeredGp: ref.optional(),
};

/** `subjectOfCareId` is read back as `recordUid`. */
function withRecordUid<T extends { subjectOfCareId?: string; recordUid?: string }>({ subjectOfCareId, ...record }: T, ctx: z.RefinementCtx): Omit<T, 'subjectOfCareId'> {
  if (subjectOfCareId !== undefined && record.recordUid !== undefined && subjectOfCareId !== record.recordUid) {
    ctx.addIssue({ code: 'custom', path: ['subjectOfCareId'], message: 'differs from recordUid (they are synonyms)' });
  }
  const recordUid = record.recordUid ?? subjectOfCareId;
  return recordUid === undefined ? record : { ...record, recordUid };
}

export const subjectOfCare = versioned('MODS-SubjectOfCare', elements).transform(withRecordUid);
export type SubjectOfCare = z.output<typeof subjectOfCare>;
export type SubjectOfCareInput = z.input<typeof subjectOfCare>;

/**
 * The registration payload (SCIP MODS-SubjectOfCareRegistration): a subject of care that must carry its
 * subjectOfCareId, and may still lack demographics the full MODS record requires (ethnicity, sexual
 * orientation), which the supplier publishes later as a new version.
 */
export const subjectOfCareRegistration = versioned('MODS-SubjectOfCare', {
  ...elements,
  ethnicity: elements.ethnicity.optional(),
  sexualOrientation: elements.sexualOrientation.optional(),
})
  .refine((r) => r.subjectOfCareId !== undefined || r.recordUid !== undefined, { message: 'required (the supplier\'s id for the person)', path: ['subjectOfCareId'] })
  .transform(withRecordUid);
export type SubjectOfCareRegistration = z.output<typeof subjectOfCareRegistration>;
