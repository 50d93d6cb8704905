// Content negotiation for FHIR JSON (R4 http.html#mime-type): request parsers, _format/Accept checks,
// and rendering a FhirResponse body (raw stored JSON, _summary, _elements, _pretty).
import type { FastifyInstance } from 'fastify';
import { FhirError, invalid } from '../fhir/errors.js';
import type { Resource } from '../fhir/types.js';
import { RawJson, stringifyWithRaw } from '../rest/raw-json.js';
import { needsShaping, renderOptions, shapeResource } from '../rest/render.js';
import type { FhirResponse } from '../rest/types.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json-patch+json'];
const ACCEPTABLE = new Set(['application/fhir+json', 'application/json', 'json', 'application/*', '*/*', 'text/json']);

export function registerContentParsers(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(invalid(`The body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    done(null, [...new URLSearchParams(body as string).entries()]);
  });
}

/** Refuses formats we do not produce (XML, RDF): 406 rather than a JSON body the client cannot read. */
export function checkAcceptable(query: [string, string][], accept: string | undefined): void {
  const format = query.find(([k]) => k === '_format')?.[1];
  if (format !== undefined && !ACCEPTABLE.has(format.split(';')[0].trim())) {
    throw new FhirError('not-acceptable', { diagnostics: `_format '${format}' is not supported; this server speaks application/fhir+json`, expression: '_format' });
  }
  if (accept) {
    const types = accept.split(',').map((t) => t.split(';')[0].trim()).filter(Boolean);
    if (types.length && !types.some((t) => ACCEPTABLE.has(t))) {
      throw new FhirError('not-acceptable', { diagnostics: `Accept '${accept}' names no format this server produces (application/fhir+json)` });
    }
  }
}

/** The response body text, shaped as the query asks. */
export function renderBody(res: FhirResponse, query: [string, string][]): string | undefined {
  if (res.body === undefined) return undefined;
  const pretty = query.some(([k, v]) => k === '_pretty' && v === 'true');
  const options = renderOptions(query);
  let body: unknown = res.body;
  if (needsShaping(options) || options.summary === 'count') {
    const value = (body instanceof RawJson ? body.parse() : body) as Resource & { entry?: { resource?: unknown }[] };
    if (value.resourceType === 'Bundle') {
      if (options.summary === 'count') delete value.entry;
      for (const e of value.entry ?? []) {
        const r = e.resource instanceof RawJson ? e.resource.parse<Resource>() : (e.resource as Resource | undefined);
        if (r && r.resourceType !== 'OperationOutcome') e.resource = needsShaping(options) ? shapeResource(r, options) : r;
      }
      body = value;
    } else if (value.resourceType !== 'OperationOutcome' && needsShaping(options)) {
      body = shapeResource(value, options);
    }
  }
  return stringifyWithRaw(body, pretty ? 2 : undefined);
}
