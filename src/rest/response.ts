// Building the common response shapes: a stored version with its ETag/Last-Modified/Location,
// honouring Prefer: return=…
import { FhirError } from '../fhir/errors.js';
import type { OperationOutcome } from '../fhir/types.js';
import type { StoredVersion } from '../store/index.js';
import { parsePrefer } from './prefer.js';
import { RawJson } from './raw-json.js';
import type { FhirRequest, FhirResponse, RequestContext } from './types.js';

export const etag = (version: number): string => `W/"${version}"`;

export function versionHeaders(ctx: RequestContext, v: StoredVersion, withLocation: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    etag: etag(v.version),
    'last-modified': new Date(v.lastUpdated).toUTCString(),
  };
  if (withLocation) headers.location = `${ctx.base}/${v.type}/${v.id}/_history/${v.version}`;
  return headers;
}

export function outcome(severity: 'information' | 'warning', diagnostics: string, code = 'informational'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code: code as 'informational', diagnostics }] };
}

/**
 * The response to a create, update or patch (or a conditional create that found its match), with
 * the version's Location, shaped by the client's Prefer: return.
 */
export function writeResponse(ctx: RequestContext, req: FhirRequest, status: number, v: StoredVersion, message: string): FhirResponse {
  const headers = versionHeaders(ctx, v, true);
  const prefer = parsePrefer(req.headers.prefer);
  if (prefer.return === 'minimal') return { status, headers };
  if (prefer.return === 'OperationOutcome') return { status, headers, body: outcome('information', message) };
  return { status, headers, body: new RawJson(v.content) };
}

/** 404 for an unknown id, 410 for a deleted one (R4 read semantics). */
export function requireCurrent(v: StoredVersion | undefined, type: string, id: string): StoredVersion {
  if (!v) throw new FhirError('not-found', { diagnostics: `${type}/${id} is not known` });
  if (v.deleted) throw new FhirError('gone', { diagnostics: `${type}/${id} was deleted (version ${v.version})` }, versionHeadersForGone(v));
  return v;
}

function versionHeadersForGone(v: StoredVersion): Record<string, string> {
  return { etag: etag(v.version), 'last-modified': new Date(v.lastUpdated).toUTCString() };
}
