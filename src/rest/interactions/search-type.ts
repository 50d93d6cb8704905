// search-type: GET [base]/[type]?params and POST [base]/[type]/_search (R4 search.html), compiled to SQL.
import { parseSearch } from '../../fhir/search/parse.js';
import { grantOf, readable } from '../access.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { bundle, queryString } from '../bundle.js';
import type { BundleEntryOut } from '../bundle.js';
import { parsePrefer } from '../prefer.js';
import { RawJson } from '../raw-json.js';
import { outcome } from '../response.js';
import { requireType } from '../resource-input.js';
import type { InteractionHandler } from '../types.js';

export const searchType: InteractionHandler = async (ctx, req, repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  const lenient = parsePrefer(req.headers.prefer).lenient;
  const request = parseSearch(services.defs, type, req.query, { lenient });
  const keyset = request.cursor ? decodeCursor(services.cursorSecret, request.canonical, request.cursor) : undefined;
  const grant = grantOf(ctx);
  // What the caller may not see is filtered in the query itself, so totals and pages stay right.
  const confined = grant.searchFilters.length ? { ...request, filters: [...request.filters, ...parseSearch(services.defs, type, [...grant.searchFilters]).filters] } : request;
  const result = await repo.search(ctx.tenant, confined, keyset, grant.relatedTo ? { relatedTo: grant.relatedTo } : {});
  const included = readable(ctx, result.included);

  const entries: BundleEntryOut[] = [
    ...result.matches.map((m) => ({ fullUrl: `${ctx.base}/${m.type}/${m.id}`, resource: new RawJson(m.content), search: { mode: 'match' as const } })),
    ...included.map((m) => ({ fullUrl: `${ctx.base}/${m.type}/${m.id}`, resource: new RawJson(m.content), search: { mode: 'include' as const } })),
  ];
  if (request.ignored.length) {
    entries.push({
      resource: outcome('warning', `Ignored unknown or unsupported search parameters: ${request.ignored.join(', ')}`, 'not-supported'),
      search: { mode: 'outcome' },
    });
  }
  const selfQuery = queryString(request.canonical);
  const link = [{ relation: 'self', url: `${ctx.base}/${type}${selfQuery ? `?${selfQuery}` : ''}` }];
  if (result.next) {
    const cursor = encodeCursor(services.cursorSecret, request.canonical, result.next);
    link.push({ relation: 'next', url: `${ctx.base}/${type}?${queryString([...request.canonical, ['_cursor', cursor]])}` });
  }
  const body = bundle('searchset', entries, { total: result.total, link });
  if (body.total === undefined) delete body.total;
  return { status: 200, headers: {}, body: body };
};
