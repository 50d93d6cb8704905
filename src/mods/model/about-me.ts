// PRSB About Me (v2.01) as carried in MODS (mods.md §3): seven sections of free text and multimedia,
// each with its fixed SNOMED CT code, who supported the person to write it, and when it was updated.
import { z } from 'zod';
import { VALUE_SETS } from '../terminology.js';
import { coding, dateTime, list, subjectRef, text, versioned } from './primitives.js';

/** Section keys in the order of the standard, with their fixed SNOMED CT codes. */
export const ABOUT_ME_SECTIONS = {
  mostImportant: '1515861000000103',
  importantPeople: '1515871000000105',
  communication: '1515881000000107',
  wellness: '1515891000000109',
  pleaseDoDont: '1515901000000105',
  howWhenSupport: '1515911000000107',
  alsoWorthKnowing: '1515921000000101',
} as const;
export type AboutMeSectionKey = keyof typeof ABOUT_ME_SECTIONS;
export const ABOUT_ME_SECTION_KEYS = Object.keys(ABOUT_ME_SECTIONS) as AboutMeSectionKey[];

const media = z
  .strictObject({
    /** File name without extension. */
    filename: text.optional(),
    mimeType: z.string().regex(/^[A-Za-z]+\/[A-Za-z0-9.+-]+$/, 'must be a MIME type such as video/mp4').optional(),
    /** The file itself, base64, when stored with the record. */
    data: z.string().regex(/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^[A-Za-z0-9+/]{2}==$|^[A-Za-z0-9+/]{3}=$/, 'must be base64').optional(),
    url: z.url('must be an absolute URL').optional(),
  })
  .refine((m) => m.data !== undefined || m.url !== undefined, 'needs the file (data) or where it is (url)');
export type AboutMeMedia = z.output<typeof media>;

/** A section's code is fixed; an omitted code is filled in, a different one refused. */
function section(key: AboutMeSectionKey) {
  const fixed = VALUE_SETS.aboutMeSection.concepts.find(([c]) => c === ABOUT_ME_SECTIONS[key]) as readonly [string, string];
  const canonical = { system: VALUE_SETS.aboutMeSection.system, code: fixed[0], display: fixed[1] };
  return z
    .strictObject({ code: coding.meta({ fixedCoding: canonical }).optional(), freeText: text.optional(), media: list(media) })
    .superRefine((s, ctx) => {
      if (s.code && (s.code.code !== canonical.code || (s.code.system ?? canonical.system) !== canonical.system)) {
        ctx.addIssue({ code: 'custom', path: ['code'], message: `must be ${canonical.system}|${canonical.code} (${canonical.display})` });
      }
    })
    .transform(({ freeText, media: files }) => ({ code: canonical, ...(freeText !== undefined ? { freeText } : {}), ...(files ? { media: files } : {}) }));
}

const sectionShape = Object.fromEntries(ABOUT_ME_SECTION_KEYS.map((k) => [k, section(k).optional()])) as {
  [K in AboutMeSectionKey]: z.ZodOptional<ReturnType<typeof section>>;
};

export const aboutMe = versioned('MODS-AboutMe', {
  subjectOfCare: subjectRef,
  sections: z.strictObject(sectionShape),
  supportedToWriteThisBy: z.string().min(1, 'must not be empty').max(150, 'must be at most 150 characters').optional(),
  dateLastUpdated: dateTime.optional(),
});
export type AboutMe = z.output<typeof aboutMe>;
export type AboutMeInput = z.input<typeof aboutMe>;
export type AboutMeSection = NonNullable<AboutMe['sections'][AboutMeSectionKey]>;
