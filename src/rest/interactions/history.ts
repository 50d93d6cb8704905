// history-instance, history-type, history-system: GET [base]/[type]/[id]/_history, [base]/[type]/_history,
// [base]/_history with _since, _at (upper bound) and _count (R4 http.html#history).
import { FhirError, invalid } from '../../fhir/errors.js';
import { parseDateRange } from '../../fhir/search/values.js';
import { DEFAULT_COUNT, MAX_COUNT } from '../../fhir/search/parse.js';
import { readable } from '../access.js';
import { bundle, queryString } from '../bundle.js';
import type { BundleEntryOut } from '../bundle.js';
import { RawJson } from '../raw-json.js';
import { requireType } from '../resource-input.js';
import type { FhirRequest, FhirResponse, InteractionHandler, RequestContext } from '../types.js';
import type { Repository } from '../../store/index.js';

const STATUS_BY_METHOD: Record<string, string> = { POST: '201 Created', PUT: '200 OK', PATCH: '200 OK', DELETE: '204 No Content' };

async function history(ctx: RequestContext, req: FhirRequest, repo: Repository, type?: string, id?: string): Promise<FhirResponse> {
  let since: string | undefined;
  let before: string | undefined;
  let count = DEFAULT_COUNT;
  let beforeSeq: string | undefined;
  const canonical: [string, string][] = [];
  for (const [key, value] of req.query) {
    if (key === '_since' || key === '_at') {
      const range = parseDateRange(value);
      if (!range) throw invalid(`${key} must be a FHIR instant, got '${value}'`, key);
      if (key === '_since') since = new Date(range.lo).toISOString();
      else before = new Date(range.hi - 1).toISOString();
      canonical.push([key, value]);
    } else if (key === '_count') {
      if (!/^\d+$/.test(value)) throw invalid(`_count must be a non-negative integer`, '_count');
      count = Math.min(Number(value), MAX_COUNT);
      canonical.push([key, value]);
    } else if (key === '_page') {
      if (!/^\d{1,18}$/.test(value)) throw invalid('_page is not valid', '_page');
      beforeSeq = value;
    } else if (!['_format', '_pretty', '_summary', '_elements'].includes(key)) {
      throw invalid(`Unknown history parameter '${key}'`, key);
    }
  }
  const page = await repo.history({ tenant: ctx.tenant, type, id, since, before, count, beforeSeq });
  const path = [type, id, '_history'].filter(Boolean).join('/');
  // Versions the caller may not see are left out of the page (the total still counts them).
  const entries: BundleEntryOut[] = readable(ctx, page.entries).map((v) => ({
    fullUrl: `${ctx.base}/${v.type}/${v.id}`,
    resource: v.deleted ? undefined : new RawJson(v.content),
    request: { method: v.method === 'PATCH' ? 'PATCH' : (v.method ?? 'PUT'), url: v.method === 'POST' ? v.type : `${v.type}/${v.id}` },
    response: { status: STATUS_BY_METHOD[v.method ?? 'PUT'], etag: `W/"${v.version}"`, lastModified: v.lastUpdated },
  }));
  const qs = queryString(canonical);
  const link = [{ relation: 'self', url: `${ctx.base}/${path}${qs ? `?${qs}` : ''}` }];
  if (page.nextSeq) link.push({ relation: 'next', url: `${ctx.base}/${path}?${queryString([...canonical, ['_page', page.nextSeq]])}` });
  return { status: 200, headers: {}, body: bundle('history', entries, { total: page.total, link }) };
}

export const historyInstance: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id] = req.path;
  requireType(services, type);
  // A resource this store has never held has no history: 404, as for a read.
  if (!(await repo.read(ctx.tenant, type, id))) throw new FhirError('not-found', { diagnostics: `${type}/${id} is not known` });
  return history(ctx, req, repo, type, id);
};

export const historyType: InteractionHandler = async (ctx, req, repo, services) => {
  requireType(services, req.path[0]);
  return history(ctx, req, repo, req.path[0]);
};

export const historySystem: InteractionHandler = (ctx, req, repo) => history(ctx, req, repo);
