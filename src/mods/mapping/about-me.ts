// About Me ⇄ QuestionnaireResponse answering the platform's PRSB About Me Questionnaire
// (docs/decisions/0011): one group item per section (linkId = the MODS key, code on the Questionnaire
// item), holding `<key>.freeText` and `<key>.media`; multimedia are inline Attachments.
import type { Attachment, Questionnaire, QuestionnaireItem, QuestionnaireResponse, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import type { AboutMe, AboutMeInput, AboutMeMedia, AboutMeSectionKey } from '../model/about-me.js';
import { ABOUT_ME_SECTION_KEYS, ABOUT_ME_SECTIONS } from '../model/about-me.js';
import { OPENSCIP_FHIR, VALUE_SETS } from '../terminology.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import { compact, fromSubjectReference, readIdentity, primaryEntry, someOrUndefined, toSubjectReference } from './shared.js';

export const ABOUT_ME_QUESTIONNAIRE = `${OPENSCIP_FHIR}/Questionnaire/about-me`;
const SUPPORTED_BY = 'supportedToWriteThisBy';

const sectionTitle = (key: AboutMeSectionKey): string => VALUE_SETS.aboutMeSection.concepts.find(([c]) => c === ABOUT_ME_SECTIONS[key])?.[1] ?? key;

const toAttachment = (m: AboutMeMedia): Attachment => compact({ contentType: m.mimeType, data: m.data, url: m.url, title: m.filename });
const fromAttachment = (a: Attachment): AboutMeMedia => compact({ filename: a.title, mimeType: a.contentType, data: a.data, url: a.url });

export function toFhir(a: AboutMe, ctx: MappingContext): FhirEntry[] {
  const items: QuestionnaireResponseItem[] = ABOUT_ME_SECTION_KEYS.flatMap((key) => {
    const section = a.sections[key];
    if (!section) return [];
    const children: QuestionnaireResponseItem[] = [
      ...(section.freeText !== undefined ? [{ linkId: `${key}.freeText`, answer: [{ valueString: section.freeText }] }] : []),
      ...(section.media ? [{ linkId: `${key}.media`, answer: section.media.map((m) => ({ valueAttachment: toAttachment(m) })) }] : []),
    ];
    return [compact({ linkId: key, text: sectionTitle(key), item: someOrUndefined(children) })];
  });
  if (a.supportedToWriteThisBy !== undefined) items.push({ linkId: SUPPORTED_BY, text: 'Supported to write this by', answer: [{ valueString: a.supportedToWriteThisBy }] });
  const response: QuestionnaireResponse = {
    resourceType: 'QuestionnaireResponse',
    questionnaire: ABOUT_ME_QUESTIONNAIRE,
    status: 'completed',
    subject: toSubjectReference(a.subjectOfCare, ctx),
    authored: a.dateLastUpdated,
    item: someOrUndefined(items),
  };
  return [primaryEntry('about-me', a, ctx, response)];
}

export function fromFhir(r: QuestionnaireResponse): Draft<AboutMeInput> {
  const items = r.item ?? [];
  const child = (item: QuestionnaireResponseItem, suffix: string) => item.item?.find((i) => i.linkId === `${item.linkId}.${suffix}`);
  const sections = Object.fromEntries(
    items
      .filter((i): i is QuestionnaireResponseItem & { linkId: AboutMeSectionKey } => i.linkId in ABOUT_ME_SECTIONS)
      .map((i) => [
        i.linkId,
        compact({
          freeText: child(i, 'freeText')?.answer?.[0]?.valueString,
          media: someOrUndefined((child(i, 'media')?.answer ?? []).flatMap((x) => (x.valueAttachment ? [fromAttachment(x.valueAttachment)] : []))),
        }),
      ]),
  );
  return compact({
    resourceType: 'MODS-AboutMe',
    ...readIdentity(r),
    subjectOfCare: r.subject ? fromSubjectReference(r.subject) : undefined,
    sections,
    supportedToWriteThisBy: items.find((i) => i.linkId === SUPPORTED_BY)?.answer?.[0]?.valueString,
    dateLastUpdated: r.authored,
  });
}

/** The Questionnaire every About Me response answers: the seven PRSB sections with their SNOMED CT codes. */
export function aboutMeQuestionnaire(): Questionnaire {
  const sectionItem = (key: AboutMeSectionKey): QuestionnaireItem => ({
    linkId: key,
    text: sectionTitle(key),
    code: [{ system: VALUE_SETS.aboutMeSection.system, code: ABOUT_ME_SECTIONS[key], display: sectionTitle(key) }],
    type: 'group',
    item: [
      { linkId: `${key}.freeText`, text: 'Free text', type: 'text' },
      { linkId: `${key}.media`, text: 'Multi-media', type: 'attachment', repeats: true },
    ],
  });
  return {
    resourceType: 'Questionnaire',
    id: 'about-me',
    url: ABOUT_ME_QUESTIONNAIRE,
    version: '2.01',
    name: 'PRSBAboutMe',
    title: 'About Me (PRSB standard v2.01)',
    status: 'active',
    subjectType: ['Patient'],
    item: [
      ...ABOUT_ME_SECTION_KEYS.map(sectionItem),
      { linkId: SUPPORTED_BY, text: 'Supported to write this by', type: 'string', maxLength: 150 },
    ],
  };
}
