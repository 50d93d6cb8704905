// Checks on a resource arriving in a request body, before anything is written.
import { FhirError, invalid } from '../fhir/errors.js';
import type { Resource } from '../fhir/types.js';
import { requireWritableContent } from './access.js';
import type { RequestContext, RestServices } from './types.js';

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

export function requireType(services: RestServices, type: string): void {
  if (!services.defs.resourceTypes.has(type)) {
    throw new FhirError('not-found', { diagnostics: `Unknown resource type '${type}'`, code: 'not-supported' });
  }
}

export function requireId(id: string): void {
  if (!ID_PATTERN.test(id)) throw invalid(`'${id}' is not a valid resource id (1-64 of A-Z a-z 0-9 - .)`, 'id');
}

/** The body as a resource of `type`, or 400 naming what is wrong with it. */
export function bodyResource(body: unknown, type: string | undefined): Resource {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('The request body must be a FHIR resource (a JSON object)');
  }
  const rt = (body as { resourceType?: unknown }).resourceType;
  if (typeof rt !== 'string') throw invalid('The resource has no resourceType', 'resourceType');
  if (type !== undefined && rt !== type) throw invalid(`The body is a ${rt} but the URL names ${type}`, 'resourceType');
  return body as Resource;
}

/**
 * Checks a resource about to be written: the caller may write its sensitivity labels (403), and it is
 * valid against R4 and any profile named in meta.profile that we ship (422 with every issue).
 */
export function validateForWrite(ctx: RequestContext, services: RestServices, resource: Resource): void {
  requireWritableContent(ctx, resource);
  if (!services.defs.resourceTypes.has(resource.resourceType)) {
    throw invalid(`Unknown resource type '${resource.resourceType}'`, 'resourceType');
  }
  const issues = services.validator.validate(resource);
  if (issues.length) throw new FhirError('unprocessable', issues);
}

/** The version number in an If-Match header (W/"3" or "3"), if any. */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw invalid(`If-Match must be an ETag such as W/"3", got '${header}'`);
  return Number(m[1]);
}
