// batch and transaction: POST [base] with a Bundle (R4 http.html#transaction). A transaction is
// atomic: one database transaction, entries in the order FHIR prescribes (DELETE, POST, PUT/PATCH,
// GET/HEAD), `urn:uuid:` and conditional references resolved first. Batch entries stand alone.
import { randomUUID } from 'node:crypto';
import { FhirError, invalid } from '../../fhir/errors.js';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '../../fhir/types.js';
import type { Repository } from '../../store/index.js';
import { bundle } from '../bundle.js';
import type { BundleEntryOut } from '../bundle.js';
import { conditionalMatches, criteriaFrom } from '../conditional.js';
import { RawJson } from '../raw-json.js';
import { bodyResource, requireType, validateForWrite } from '../resource-input.js';
import { writeResponse } from '../response.js';
import type { FhirRequest, FhirResponse, HttpMethod, InteractionHandler, RequestContext, RestServices } from '../types.js';

type Dispatch = (ctx: RequestContext, req: FhirRequest, repo: Repository) => Promise<FhirResponse>;

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };
const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 422: 'Unprocessable Entity', 500: 'Internal Server Error' };

/** An entry's `response.status`: the code and its reason phrase, e.g. `201 Created`. */
const statusLine = (status: number): string => `${status} ${REASONS[status] ?? ''}`.trim();

interface ParsedEntry {
  index: number;
  method: HttpMethod;
  path: string[];
  query: [string, string][];
  fullUrl?: string;
  resource?: Resource;
  headers: Record<string, string | undefined>;
  /** For a create: the id assigned before anything runs, so other entries can refer to it. */
  createId?: string;
}

export function bundleHandler(dispatch: Dispatch): InteractionHandler {
  return async (ctx, req, repo, services) => {
    const body = req.body as Bundle | undefined;
    if (!body || body.resourceType !== 'Bundle') throw invalid('POST to the base takes a Bundle of type batch or transaction', 'resourceType');
    if (body.type !== 'batch' && body.type !== 'transaction') throw invalid(`Bundle.type must be batch or transaction, got '${body.type}'`, 'Bundle.type');
    if (body.entry !== undefined && !Array.isArray(body.entry)) throw invalid('Bundle.entry must be an array', 'Bundle.entry');
    const entries = (body.entry ?? []).map((e, i) => parseEntry(ctx, e, i));
    if (entries.length > services.maxBundleEntries) {
      throw new FhirError('too-large', { diagnostics: `The Bundle has ${entries.length} entries; the limit is ${services.maxBundleEntries}`, expression: 'Bundle.entry' });
    }
    return body.type === 'transaction' ? transaction(ctx, entries, repo, services, dispatch) : batch(ctx, entries, repo, dispatch);
  };
}

function parseEntry(ctx: RequestContext, entry: BundleEntry, index: number): ParsedEntry {
  const where = `Bundle.entry[${index}]`;
  const method = entry.request?.method as HttpMethod | undefined;
  if (!method || !Object.hasOwn(ORDER, method)) throw invalid(`${where}.request.method is missing or not supported`, `${where}.request.method`);
  let url = entry.request?.url;
  if (!url) throw invalid(`${where}.request.url is missing`, `${where}.request.url`);
  if (url.startsWith(`${ctx.base}/`)) url = url.slice(ctx.base.length + 1);
  const [pathPart, queryPart] = url.split('?', 2);
  const resource = entry.resource as Resource | undefined;
  if ((method === 'POST' || method === 'PUT') && !resource) throw invalid(`${where} has no resource for ${method}`, `${where}.resource`);
  return {
    index,
    method,
    path: pathPart.split('/').filter(Boolean),
    query: queryPart ? criteriaFrom(queryPart) : [],
    fullUrl: entry.fullUrl,
    // The body was parsed for this request alone, so entries may be rewritten in place.
    resource,
    headers: {
      'if-match': entry.request?.ifMatch,
      'if-none-match': entry.request?.ifNoneMatch,
      'if-none-exist': entry.request?.ifNoneExist,
      'if-modified-since': entry.request?.ifModifiedSince,
    },
  };
}

function toRequest(e: ParsedEntry, prefer: string | undefined): FhirRequest {
  return {
    method: e.method,
    path: e.path,
    query: e.query,
    headers: { ...e.headers, prefer },
    body: e.method === 'PATCH' ? patchBody(e) : e.resource,
    contentType: e.method === 'PATCH' ? 'application/json-patch+json' : 'application/fhir+json',
  };
}

/** FHIR allows a JSON Patch in a Binary resource (R4 http.html#patch in batch/transaction). */
function patchBody(e: ParsedEntry): unknown {
  const r = e.resource as (Resource & { data?: string; contentType?: string }) | undefined;
  if (r?.resourceType === 'Binary' && r.data) return JSON.parse(Buffer.from(r.data, 'base64').toString());
  throw invalid(`Bundle.entry[${e.index}]: a PATCH entry carries a JSON Patch in a Binary resource`, `Bundle.entry[${e.index}].resource`);
}

function responseEntry(res: FhirResponse): BundleEntryOut {
  const body = res.body;
  const isOutcome = !(body instanceof RawJson) && body?.resourceType === 'OperationOutcome';
  return {
    resource: isOutcome ? undefined : body,
    response: {
      status: statusLine(res.status),
      location: res.headers.location,
      etag: res.headers.etag,
      lastModified: res.headers['last-modified'] ? new Date(res.headers['last-modified']).toISOString() : undefined,
      outcome: isOutcome ? (body as OperationOutcome) : undefined,
    },
  };
}

async function batch(ctx: RequestContext, entries: ParsedEntry[], repo: Repository, dispatch: Dispatch): Promise<FhirResponse> {
  const out: BundleEntryOut[] = [];
  for (const e of entries) {
    try {
      out.push(responseEntry(await dispatch(ctx, toRequest(e, undefined), repo)));
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      out.push({ response: { status: statusLine(err.status), outcome: err.toOutcome() } });
    }
  }
  return { status: 200, headers: {}, body: bundle('batch-response', out) };
}

async function transaction(ctx: RequestContext, entries: ParsedEntry[], repo: Repository, services: RestServices, dispatch: Dispatch): Promise<FhirResponse> {
  return repo.transaction(async (tx) => {
    const ids = await resolveIdentities(ctx, entries, tx, services);
    refuseOverlaps(entries);
    for (const e of entries) if (e.resource) await rewriteReferences(ctx, e, e.resource, ids, tx, services);
    const out: BundleEntryOut[] = new Array(entries.length);
    const ordered = [...entries].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
    const creates = ordered.filter((e) => e.createId);
    for (const e of ordered) {
      if (e.createId) {
        // All creates are written together, in one statement, when the first is reached.
        if (e === creates[0]) await createAll(ctx, creates, tx, services, out);
        continue;
      }
      try {
        out[e.index] = responseEntry(await dispatch(ctx, toRequest(e, 'return=representation'), tx));
      } catch (err) {
        throw entryError(e, err);
      }
    }
    return { status: 200, headers: {}, body: bundle('transaction-response', out) };
  });
}

/** The whole transaction fails: say which entry, keeping each issue's own location. */
function entryError(e: ParsedEntry, err: unknown): unknown {
  if (!(err instanceof FhirError)) return err;
  return new FhirError(
    err.category,
    err.issues.map((i) => ({
      ...i,
      diagnostics: `Bundle.entry[${e.index}] (${e.method} ${e.path.join('/')}): ${i.diagnostics ?? ''}`,
      expression: [`Bundle.entry[${e.index}]`, ...(i.expression ?? []).map((x) => `Bundle.entry[${e.index}].resource.${x.replace(/^[A-Z][A-Za-z]+\./, '')}`)],
    })),
  );
}

async function createAll(ctx: RequestContext, creates: ParsedEntry[], tx: Repository, services: RestServices, out: BundleEntryOut[]): Promise<void> {
  for (const e of creates) {
    try {
      requireType(services, e.path[0]);
      // Creates are written together rather than dispatched one by one: each is authorised here.
      const grant = ctx.access.authorise({ interaction: 'create', type: e.path[0], access: 'c' });
      validateForWrite({ ...ctx, grant }, services, bodyResource(e.resource, e.path[0]));
    } catch (err) {
      throw entryError(e, err);
    }
  }
  const written = await tx.createMany(ctx.tenant, creates.map((e) => ({ resource: e.resource as Resource, id: e.createId })));
  creates.forEach((e, i) => {
    out[e.index] = responseEntry(writeResponse(ctx, toRequest(e, 'return=representation'), 201, written[i].version, 'Created'));
  });
}

/**
 * Assigns every created resource its id before anything runs, so references between entries can be
 * rewritten. A matched If-None-Exist turns the create into a read of the match.
 */
async function resolveIdentities(ctx: RequestContext, entries: ParsedEntry[], tx: Repository, services: RestServices): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const e of entries) {
    const type = e.path[0];
    if (e.method === 'POST' && e.path.length === 1 && e.resource) {
      const criteria = e.headers['if-none-exist'];
      const matches = criteria ? await conditionalMatches(ctx, tx, services, type, criteriaFrom(criteria)) : [];
      if (matches.length > 1) throw new FhirError('precondition-failed', { diagnostics: `Bundle.entry[${e.index}]: If-None-Exist matched ${matches.length} resources`, expression: `Bundle.entry[${e.index}].request.ifNoneExist` });
      const id = matches[0] ?? randomUUID();
      if (e.fullUrl) ids.set(e.fullUrl, `${type}/${id}`);
      if (matches[0]) {
        e.method = 'GET';
        e.path = [type, id];
        e.resource = undefined;
      } else {
        e.createId = id;
      }
    } else if (e.method === 'PUT' && e.path.length === 1 && e.resource) {
      const matches = await conditionalMatches(ctx, tx, services, type, e.query);
      if (matches.length > 1) throw new FhirError('precondition-failed', { diagnostics: `Bundle.entry[${e.index}]: the conditional update matched ${matches.length} resources`, expression: `Bundle.entry[${e.index}].request.url` });
      const id = matches[0] ?? e.resource.id ?? randomUUID();
      if (e.fullUrl) ids.set(e.fullUrl, `${type}/${id}`);
      e.resource.id = id;
      e.path = [type, id];
      e.query = [];
    } else if (e.method === 'PUT' && e.path.length === 2 && e.fullUrl) {
      ids.set(e.fullUrl, `${e.path[0]}/${e.path[1]}`);
    }
  }
  return ids;
}

/** R4: a transaction whose writes name the same resource twice fails (after conditional resolution). */
function refuseOverlaps(entries: ParsedEntry[]): void {
  const seen = new Map<string, number>();
  for (const e of entries) {
    if (e.method === 'GET' || e.method === 'HEAD' || e.path.length !== 2) continue;
    const key = e.path.join('/');
    const first = seen.get(key);
    if (first !== undefined) {
      throw invalid(`Bundle.entry[${e.index}] and Bundle.entry[${first}] both change ${key}; a transaction may change a resource once`, `Bundle.entry[${e.index}]`);
    }
    seen.set(key, e.index);
  }
}

/** Replaces `urn:uuid:`/fullUrl references with the assigned ids, and conditional references by search. */
async function rewriteReferences(ctx: RequestContext, e: ParsedEntry, node: unknown, ids: Map<string, string>, tx: Repository, services: RestServices): Promise<void> {
  if (Array.isArray(node)) {
    for (const item of node) await rewriteReferences(ctx, e, item, ids, tx, services);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'reference' && typeof value === 'string') {
      const mapped = ids.get(value);
      if (mapped) obj.reference = mapped;
      else if (value.startsWith('urn:uuid:') || value.startsWith('urn:oid:')) {
        throw invalid(`Bundle.entry[${e.index}] refers to ${value}, which no entry of the transaction defines`, `Bundle.entry[${e.index}].resource`);
      } else if (/^[A-Z][A-Za-z]+\?/.test(value)) {
        const [type, query] = value.split('?', 2);
        const matches = await conditionalMatches(ctx, tx, services, type, criteriaFrom(query));
        if (matches.length !== 1) {
          throw new FhirError('precondition-failed', { diagnostics: `Bundle.entry[${e.index}]: conditional reference ${value} matched ${matches.length} resources; it must match one`, expression: `Bundle.entry[${e.index}].resource` });
        }
        obj.reference = `${type}/${matches[0]}`;
      }
    } else if (typeof value === 'object') {
      await rewriteReferences(ctx, e, value, ids, tx, services);
    }
  }
}
