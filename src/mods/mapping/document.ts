// Document ⇄ UK Core DocumentReference (mods.md §4.2): class → category, document name → type,
// title → description, MIME type and storage location → the attachment, confidentiality → securityLabel.
import type { DocumentReference } from '@medplum/fhirtypes';
import type { Document, DocumentInput } from '../model/document.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  compact, fromConcept, fromReference, fromSubjectReference, readIdentity, readString, primaryEntry, someOrUndefined,
  stringExt, toConcept, toReference, toSubjectReference,
} from './shared.js';

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

export function toFhir(d: Document, ctx: MappingContext): FhirEntry[] {
  const attachment = compact({ contentType: d.mimeType, url: d.documentationLocation });
  const resource: DocumentReference = {
    resourceType: 'DocumentReference',
    extension: someOrUndefined(stringExt('comment', d.comments)),
    status: 'current',
    type: toConcept(d.documentName),
    category: d.class ? [{ text: d.class }] : undefined,
    subject: d.subjectOfCare ? toSubjectReference(d.subjectOfCare, ctx) : undefined,
    date: d.date,
    author: d.author?.map((a) => toReference(a)),
    description: d.documentTitle,
    securityLabel: d.confidentiality ? [{ text: d.confidentiality }] : undefined,
    // FHIR requires content; a document known only by its details says its attachment is unknown.
    content: [{ attachment: Object.keys(attachment).length ? attachment : { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] } }],
  };
  return [primaryEntry('document', d, ctx, resource)];
}

export function fromFhir(d: DocumentReference): Draft<DocumentInput> {
  const attachment = d.content[0]?.attachment;
  return compact({
    resourceType: 'MODS-Document',
    ...readIdentity(d),
    subjectOfCare: d.subject ? fromSubjectReference(d.subject) : undefined,
    date: d.date,
    documentationLocation: attachment?.url,
    class: d.category?.[0]?.text,
    documentTitle: d.description,
    documentName: fromConcept(d.type),
    mimeType: attachment?.contentType,
    comments: readString(d, 'comment'),
    confidentiality: d.securityLabel?.[0]?.text,
    author: someOrUndefined((d.author ?? []).map(fromReference)),
  });
}
