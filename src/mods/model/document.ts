// MODS Document (MODS data browser; Author as proposed): a document about the person.
import { z } from 'zod';
import { coding, instant, list, ref, subjectRef, text, versioned } from './primitives.js';

export const document = versioned('MODS-Document', {
  /** MODS "Subject": whom the document is about. */
  subjectOfCare: subjectRef.optional(),
  date: instant.optional(),
  documentationLocation: z.url('must be an absolute URL').optional(),
  class: text.optional(),
  documentTitle: text.optional(),
  documentName: coding.optional(),
  mimeType: z.string().regex(/^[A-Za-z]+\/[A-Za-z0-9.+-]+$/, 'must be a MIME type such as application/pdf').optional(),
  comments: text.optional(),
  confidentiality: text.optional(),
  author: list(ref),
});
export type Document = z.output<typeof document>;
export type DocumentInput = z.input<typeof document>;
