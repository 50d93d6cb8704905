// What every class mapping shares: identifier systems, extensions, and the two-way conversions of the
// MODS building blocks (codings, references, names, addresses, contact details). Each pair here is
// exact inverses on canonical MODS values, which is what makes the class mappings lossless.
import type { Address as FhirAddress, ContactPoint as FhirContactPoint, HumanName } from '@medplum/fhirtypes';
import type { CodeableConcept, Coding as FhirCoding, Extension, Identifier, Reference, Resource } from '../../fhir/types.js';
import { NHS_NUMBER_SYSTEM } from '../../fhir/profiles/nhs-number.js';
import type { Address, Coding, Concept, ContactDetails, ContactPoint, PersonName, Ref, SubjectRef } from '../model/primitives.js';
import { ADDRESS_LINES } from '../model/primitives.js';
import type { ModsClassName } from '../terminology.js';
import { MODS_CLASS_SYSTEM, OPENSCIP_FHIR, SCIP_FHIR } from '../terminology.js';

export const EXT = `${OPENSCIP_FHIR}/StructureDefinition/mods-`;
export const RECORD_UID_SYSTEM = 'https://openscip.org/Id/mods-record-uid';
export const LOCAL_ID_SYSTEM = 'https://openscip.org/Id/mods-local-id';
export const MODS_IDENTIFIER_SYSTEM = 'https://openscip.org/Id/mods-identifier';
export const ODS_ORGANISATION_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const ODS_SITE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-site-code';
const PARTICIPANT_EXTENSION = `${SCIP_FHIR}/StructureDefinition/Extension-MODS-ParticipantCareActor`;
const PART_EXTENSION = `${EXT}record-part`;

/** A FHIR resource a MODS record becomes, with the URL other resources of the record refer to it by. */
export interface FhirEntry {
  fullUrl: string;
  resource: Resource;
}

export interface MappingContext {
  /** A fresh UUID, for records without a recordUid whose parts must refer to each other. */
  newUuid(): string;
  /** The Patient id of a subject of care referred to by NHS number, once the store has resolved it. */
  subjectId?(subject: SubjectRef): string | undefined;
  /** Today (YYYY-MM-DD), for statuses FHIR derives from dates. */
  today: string;
}

/**
 * What a FHIR → MODS mapping returns: the MODS input shape, where a required element may be missing
 * because the FHIR resource lacked it; parsing it through the class schema then reports the gap.
 */
export type Draft<T> = { [K in keyof T]?: T[K] };

/** Looks up another resource of the same record (a part) by the reference the primary holds. */
export type PartLookup = (reference: string) => Resource | undefined;

/** Drops undefined members so mapped resources have no empty keys (and compare equal after JSON). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}

export const someOrUndefined = <T>(items: T[]): T[] | undefined => (items.length > 0 ? items : undefined);

// ---- identity of a record ----

const UK_CORE = 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-';

/**
 * The primary resource of a record: id and versionId from the Versioned record, the MODS class tag, the
 * UK Core profile, and the record uid after the class's own identifiers. `url` defaults to `Type/uid`.
 */
export function primaryEntry(
  cls: ModsClassName,
  record: { recordUid?: string; versionNumber?: number },
  ctx: MappingContext,
  body: Resource,
  url: string = entryUrl(body.resourceType, record.recordUid, undefined, ctx),
): FhirEntry {
  const { resourceType, ...rest } = body as Resource & { identifier?: Identifier[] };
  const identifier = [...(rest.identifier ?? []), ...recordUidIdentifier(record.recordUid)];
  const resource = compact({
    resourceType,
    meta: compact({ versionId: record.versionNumber?.toString(), profile: [`${UK_CORE}${resourceType}`], tag: [{ system: MODS_CLASS_SYSTEM, code: cls }] }),
    ...compact(rest),
    // QuestionnaireResponse is the one resource with a single identifier.
    identifier: resourceType === 'QuestionnaireResponse' ? identifier[0] : someOrUndefined(identifier),
  }) as Resource;
  return withId(url, resource);
}

export function readIdentity(resource: Resource): { recordUid?: string; versionNumber?: number } {
  const uid = (resource as { identifier?: Identifier[] | Identifier }).identifier;
  const fromIdentifier = (Array.isArray(uid) ? uid : uid ? [uid] : []).find((i) => i.system === RECORD_UID_SYSTEM)?.value;
  const versionId = resource.meta?.versionId;
  return compact({ recordUid: fromIdentifier ?? resource.id, versionNumber: versionId !== undefined && /^\d+$/.test(versionId) ? Number(versionId) : undefined });
}

const recordUidIdentifier = (recordUid: string | undefined): Identifier[] => (recordUid ? [{ system: RECORD_UID_SYSTEM, value: recordUid }] : []);

/** Where a record's primary resource and its parts are found: `Type/id`, or a UUID when the record has no uid yet. */
export function entryUrl(type: string, recordUid: string | undefined, suffix: string | undefined, ctx: MappingContext): string {
  if (!recordUid) return `urn:uuid:${ctx.newUuid()}`;
  return `${type}/${suffix ? `${recordUid}-${suffix}` : recordUid}`;
}

/** Sets `id` from a `Type/id` fullUrl (a urn:uuid entry has no id until stored). */
export function withId<T extends Resource>(fullUrl: string, resource: T): FhirEntry {
  const id = fullUrl.startsWith('urn:') ? undefined : fullUrl.split('/')[1];
  return { fullUrl, resource: id ? ({ ...resource, id } as T) : resource };
}

export const partExtensions = (parts: FhirEntry[]): Extension[] => parts.map((p) => ({ url: PART_EXTENSION, valueReference: { reference: p.fullUrl } }));

/** The references (`Type/id`, or urn:uuid before storing) of the parts a primary resource lists. */
export function partReferences(resource: Resource): string[] {
  return extensionsOf(resource as { extension?: Extension[] }, PART_EXTENSION).flatMap((e) => e.valueReference?.reference ?? []);
}

export function readParts(resource: Resource, lookup: PartLookup): Resource[] {
  return partReferences(resource).flatMap((ref) => lookup(ref) ?? []);
}

/** Observations carry the FHIR social-history category and the MODS class they were published as. */
export const SOCIAL_HISTORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'social-history', display: 'Social History' }] };
export const classCategory = (cls: ModsClassName) => ({ coding: [{ system: MODS_CLASS_SYSTEM, code: cls }] });

// ---- extensions ----

export function extensionsOf(element: { extension?: Extension[] }, url: string): Extension[] {
  return (element.extension ?? []).filter((e) => e.url === url);
}

export const ext = (name: string): string => `${EXT}${name}`;

export function stringExt(name: string, value: string | undefined): Extension[] {
  return value === undefined ? [] : [{ url: ext(name), valueString: value }];
}
export function booleanExt(name: string, value: boolean | undefined): Extension[] {
  return value === undefined ? [] : [{ url: ext(name), valueBoolean: value }];
}
export function codingExt(name: string, value: Coding | undefined): Extension[] {
  return value === undefined ? [] : [{ url: ext(name), valueCoding: toCoding(value) }];
}
export function referenceExts(name: string, refs: Ref[] | undefined, type?: string): Extension[] {
  return (refs ?? []).map((r) => ({ url: ext(name), valueReference: toReference(r, type) }));
}

export const readString = (el: { extension?: Extension[] }, name: string): string | undefined => extensionsOf(el, ext(name))[0]?.valueString;
export const readBoolean = (el: { extension?: Extension[] }, name: string): boolean | undefined => extensionsOf(el, ext(name))[0]?.valueBoolean;
export function readCodingExt(el: { extension?: Extension[] }, name: string): Coding | undefined {
  const c = extensionsOf(el, ext(name))[0]?.valueCoding;
  return c ? fromCoding(c) : undefined;
}
export const readReferenceExts = (el: { extension?: Extension[] }, name: string): Ref[] | undefined =>
  someOrUndefined(extensionsOf(el, ext(name)).flatMap((e) => (e.valueReference ? [fromReference(e.valueReference)] : [])));

/** Care actors informed of or involved in an alert or risk (SCIP Extension-MODS-ParticipantCareActor). */
export function participantExts(informed: Ref[] | undefined, involved: Ref[] | undefined): Extension[] {
  const one = (type: 'informed' | 'involved', r: Ref): Extension => ({
    url: PARTICIPANT_EXTENSION,
    extension: [
      { url: 'type', valueCode: type },
      { url: 'careActor', valueReference: toReference(r, 'Practitioner') },
    ],
  });
  return [...(informed ?? []).map((r) => one('informed', r)), ...(involved ?? []).map((r) => one('involved', r))];
}

export function readParticipants(el: { extension?: Extension[] }): { informed?: Ref[]; involved?: Ref[] } {
  const of = (type: string): Ref[] | undefined =>
    someOrUndefined(
      extensionsOf(el, PARTICIPANT_EXTENSION)
        .filter((e) => e.extension?.find((x) => x.url === 'type')?.valueCode === type)
        .flatMap((e) => {
          const r = e.extension?.find((x) => x.url === 'careActor')?.valueReference;
          return r ? [fromReference(r)] : [];
        }),
    );
  return compact({ informed: of('informed'), involved: of('involved') });
}

// ---- codings ----

export const toCoding = (c: Coding): FhirCoding => compact({ system: c.system, code: c.code, display: c.display });
export const fromCoding = (c: FhirCoding): Coding => compact({ system: c.system, code: c.code, display: c.display });

export const toConcept = (c: Coding | undefined): CodeableConcept | undefined => (c ? { coding: [toCoding(c)] } : undefined);
export const fromConcept = (cc: CodeableConcept | undefined): Coding | undefined => (cc?.coding?.[0] ? fromCoding(cc.coding[0]) : undefined);

/** A MODS coded value with free text: one coding (when coded) and CodeableConcept.text. */
export function toTextConcept(c: Concept): CodeableConcept {
  const coded = c.system !== undefined || c.code !== undefined || c.display !== undefined;
  return compact({ coding: coded ? [toCoding(c)] : undefined, text: c.text });
}
export function fromTextConcept(cc: CodeableConcept): Concept {
  return compact({ ...(cc.coding?.[0] ? fromCoding(cc.coding[0]) : {}), text: cc.text });
}

// ---- references ----

const IDENTIFIER_KEYS = [
  ['nhsNumber', NHS_NUMBER_SYSTEM],
  ['odsCode', ODS_ORGANISATION_SYSTEM],
  ['identifier', MODS_IDENTIFIER_SYSTEM],
] as const;

/**
 * A MODS reference as a FHIR Reference: a record uid becomes a literal `Type/uid` when the target
 * type is known, otherwise a logical reference by the record-uid identifier (as SCIP does).
 */
export function toReference<T extends Resource = Resource>(r: Ref, type?: string): Reference<T> {
  let reference: string | undefined;
  let identifier: Identifier | undefined;
  if (r.ref !== undefined) {
    if (type) reference = `${type}/${r.ref}`;
    else identifier = { system: RECORD_UID_SYSTEM, value: r.ref };
  }
  for (const [key, system] of IDENTIFIER_KEYS) {
    if (r[key] !== undefined) identifier = { system, value: r[key] };
  }
  return compact({ reference, identifier, display: r.display }) as Reference<T>;
}

export function fromReference(ref: Reference): Ref {
  const out: Ref = {};
  const literal = ref.reference?.match(/^[A-Za-z]+\/([^/]+)$/)?.[1];
  if (literal) out.ref = literal;
  const id = ref.identifier;
  if (id?.system === RECORD_UID_SYSTEM) out.ref = id.value;
  for (const [key, system] of IDENTIFIER_KEYS) if (id?.system === system) out[key] = id.value;
  if (ref.display !== undefined) out.display = ref.display;
  return out;
}

/** The Patient of a subject-of-care reference; by NHS number it stays logical until the store resolves it. */
export function toSubjectReference<T extends Resource = Resource>(s: SubjectRef, ctx: MappingContext): Reference<T> {
  const id = s.ref ?? ctx.subjectId?.(s);
  return compact({
    reference: id ? `Patient/${id}` : undefined,
    identifier: s.nhsNumber ? { system: NHS_NUMBER_SYSTEM, value: s.nhsNumber } : undefined,
    display: s.display,
  }) as Reference<T>;
}

export function fromSubjectReference(ref: Reference): SubjectRef {
  if (ref.identifier?.system === NHS_NUMBER_SYSTEM && ref.identifier.value) return compact({ nhsNumber: ref.identifier.value, display: ref.display });
  return compact({ ref: ref.reference?.match(/^Patient\/([^/]+)$/)?.[1] ?? ref.reference, display: ref.display });
}

// ---- people: names, addresses, contact details ----

export function toNames(n: PersonName): HumanName[] {
  const official: HumanName = compact({ use: 'official' as const, family: n.family, given: [n.given], prefix: n.title ? [n.title] : undefined });
  return n.preferred ? [official, { use: 'usual', given: [n.preferred] }] : [official];
}

export function fromNames(names: HumanName[] | undefined): PersonName {
  const official = names?.find((x) => x.use === 'official') ?? names?.[0];
  const usual = names?.find((x) => x.use === 'usual');
  return compact({ given: official?.given?.join(' ') ?? '', family: official?.family ?? '', preferred: usual?.given?.join(' '), title: official?.prefix?.[0] });
}

const ADDRESS_KEY_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-AddressKey';

export function toAddress(a: Address): FhirAddress {
  const uprn: Extension | undefined = a.uprn
    ? { url: ADDRESS_KEY_EXTENSION, extension: [{ url: 'type', valueCoding: { system: 'https://fhir.hl7.org.uk/CodeSystem/UKCore-AddressKeyType', code: 'uprn' } }, { url: 'value', valueString: a.uprn }] }
    : undefined;
  return compact({
    extension: uprn ? [uprn] : undefined,
    use: a.use,
    line: ADDRESS_LINES.flatMap((k) => (a[k] !== undefined ? [a[k]] : [])),
    city: a.town,
    district: a.county,
    postalCode: a.postcode,
    period: a.startDate || a.endDate ? compact({ start: a.startDate, end: a.endDate }) : undefined,
  });
}

export function fromAddress(a: FhirAddress): Address {
  const lines = Object.fromEntries((a.line ?? []).slice(0, ADDRESS_LINES.length).map((l, i) => [ADDRESS_LINES[i], l]));
  const uprn = extensionsOf(a, ADDRESS_KEY_EXTENSION)[0]?.extension?.find((x) => x.url === 'value')?.valueString;
  return compact({
    ...lines,
    addressEntry1: (lines.addressEntry1 as string | undefined) ?? a.text ?? '',
    town: a.city,
    county: a.district,
    postcode: a.postalCode,
    uprn,
    use: a.use as Address['use'],
    startDate: a.period?.start,
    endDate: a.period?.end,
  });
}

export function toTelecom(c: ContactDetails | undefined): FhirContactPoint[] {
  const point = (system: 'phone' | 'email', p: ContactPoint): FhirContactPoint => compact({ system, value: p.value, use: p.use });
  return [...(c?.telephoneDetails ?? []).map((p) => point('phone', p)), ...(c?.emailAddressDetails ?? []).map((p) => point('email', p))];
}

export function fromTelecom(telecom: FhirContactPoint[] | undefined): ContactDetails | undefined {
  const of = (system: string): ContactPoint[] | undefined =>
    someOrUndefined((telecom ?? []).filter((t) => t.system === system && t.value).map((t) => compact({ value: t.value as string, use: t.use as ContactPoint['use'] })));
  const details = compact({ telephoneDetails: of('phone'), emailAddressDetails: of('email') });
  return Object.keys(details).length ? details : undefined;
}
