// MODS Subject of care: the person receiving care (mods.md §2.1 Person demographics, §2.3 proposals).
import { z } from 'zod';
import { SNOMED, VALUE_SETS } from '../terminology.js';
import { address, boundCoding, codingFrom, contactDetails, date, language, list, nhsNumber, personName, recordId, ref, text, versioned } from './primitives.js';

export const subjectOfCare = versioned('MODS-SubjectOfCare', {
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
}).transform(({ subjectOfCareId, ...record }, ctx) => {
  if (subjectOfCareId !== undefined && record.recordUid !== undefined && subjectOfCareId !== record.recordUid) {
    ctx.issues.push({ code: 'custom', path: ['subjectOfCareId'], message: 'differs from recordUid (they are synonyms)', input: subjectOfCareId });
  }
  const recordUid = record.recordUid ?? subjectOfCareId;
  return recordUid === undefined ? record : { ...record, recordUid };
});
export type SubjectOfCare = z.output<typeof subjectOfCare>;
export type SubjectOfCareInput = z.input<typeof subjectOfCare>;
