// The one error handler: every error leaves as an HTTP status plus a FHIR OperationOutcome.
// Fastify's own errors (body too large, bad media type, malformed JSON) are mapped here too.
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError } from '../fhir/errors.js';
import type { ErrorCategory } from '../fhir/errors.js';
import { OAuthError } from '../access/index.js';
import { FHIR_JSON } from './content.js';

const FASTIFY_CATEGORIES: Record<string, ErrorCategory> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid',
  FST_ERR_BAD_URL: 'invalid',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid',
};

export function toFhirError(err: unknown): FhirError | undefined {
  if (err instanceof FhirError) return err;
  const e = err as FastifyError;
  const category = e?.code ? FASTIFY_CATEGORIES[e.code] : undefined;
  if (category) return new FhirError(category, { diagnostics: e.message });
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    const byStatus: Record<number, ErrorCategory> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 405: 'unsupported', 413: 'too-large', 415: 'unsupported-media-type', 429: 'busy' };
    return new FhirError(byStatus[e.statusCode] ?? 'invalid', { diagnostics: e.message });
  }
  return undefined;
}

/** Errors Fastify raises before routing (a malformed URL, a bad Content-Type header), as OperationOutcomes. */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const fhirError = toFhirError(err) ?? new FhirError('invalid', { diagnostics: err.message });
  void reply.code(fhirError.status).type(FHIR_JSON).send(JSON.stringify(fhirError.toOutcome()));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const fhirError = toFhirError(err);
    if (fhirError) {
      if (fhirError.status >= 500) request.log.error({ err }, 'request failed');
      const body: object = fhirError.toOutcome();
      // The token endpoint's clients read RFC 6749 error members; FHIR clients read the issues.
      if (err instanceof OAuthError) Object.assign(body, { error: err.oauthError, error_description: err.message });
      void reply.code(fhirError.status).headers(fhirError.headers).type(FHIR_JSON).send(JSON.stringify(body));
      return;
    }
    const errorId = randomUUID();
    request.log.error({ err, errorId }, 'unexpected error');
    const outcome = new FhirError('fault', { diagnostics: `Internal error ${errorId}; the details are in the server log` }).toOutcome();
    void reply.code(500).type(FHIR_JSON).send(JSON.stringify(outcome));
  });
  app.setNotFoundHandler((request, reply) => {
    const outcome = new FhirError('not-found', { diagnostics: `No route ${request.method} ${request.url.split('?')[0]}` }).toOutcome();
    void reply.code(404).type(FHIR_JSON).send(JSON.stringify(outcome));
  });
}
