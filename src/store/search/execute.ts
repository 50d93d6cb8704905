// Runs a compiled search: one page of matches (count + 1 rows to know if there is a next page),
// the total when asked, and _include / _revinclude (with :iterate) as set queries over sp_reference.
import type { IncludeRule, SearchRequest } from '../../fhir/search/types.js';
import type { Queryable } from '../db/driver.js';
import type { CompileContext, Keyset } from './compile.js';
import { compileCount, compileSearch } from './compile.js';

export interface FoundResource {
  type: string;
  id: string;
  content: string;
}

export interface SearchResult {
  matches: FoundResource[];
  included: FoundResource[];
  total?: number;
  /** Present when more matches follow: the keyset of the last match on this page. */
  next?: Keyset;
}

/** Bound on _include:iterate rounds, so a reference cycle cannot loop. */
const MAX_INCLUDE_ROUNDS = 4;
/** Bound on included resources per page. */
const MAX_INCLUDED = 1000;

export async function executeSearch(
  q: Queryable,
  ctx: CompileContext,
  tenant: string,
  request: SearchRequest,
  keyset?: Keyset,
): Promise<SearchResult> {
  const result: SearchResult = { matches: [], included: [] };
  if (request.count > 0 || request.total === 'none') {
    const compiled = compileSearch(ctx, tenant, { ...request, count: Math.max(request.count, 1) }, keyset);
    const rows = await q.query<Record<string, string | null>>(compiled.text, compiled.params, { freshPlan: true });
    const page = rows.slice(0, request.count);
    result.matches = page.map((r) => ({ type: request.resourceType, id: r.id as string, content: r.content as string }));
    if (rows.length > request.count && page.length > 0) {
      const last = page[page.length - 1];
      result.next = { id: last.id as string, keys: Array.from({ length: compiled.sortKeyCount }, (_, i) => last[`k${i}`] ?? null) };
    }
  }
  const firstPageComplete = !keyset && !result.next && request.count > 0;
  if (request.total !== 'none' && !firstPageComplete) {
    const count = compileCount(ctx, tenant, request);
    result.total = Number((await q.query<{ total: number }>(count.text, count.params, { freshPlan: true }))[0].total);
  } else if (firstPageComplete) {
    result.total = result.matches.length;
  }
  if (request.include.length || request.revinclude.length) {
    result.included = await includes(q, tenant, request, result.matches);
  }
  return result;
}

async function includes(q: Queryable, tenant: string, request: SearchRequest, matches: FoundResource[]): Promise<FoundResource[]> {
  const seen = new Set(matches.map((m) => `${m.type}/${m.id}`));
  const included: FoundResource[] = [];
  let frontier = matches;
  for (let round = 0; round < MAX_INCLUDE_ROUNDS && frontier.length && included.length < MAX_INCLUDED; round++) {
    const added: FoundResource[] = [];
    const rules = [
      ...request.include.filter((r) => round === 0 || r.iterate).map((r) => ({ rule: r, reverse: false })),
      ...request.revinclude.filter((r) => round === 0 || r.iterate).map((r) => ({ rule: r, reverse: true })),
    ];
    for (const { rule, reverse } of rules) {
      for (const found of await includeQuery(q, tenant, rule, reverse, frontier)) {
        const key = `${found.type}/${found.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        added.push(found);
      }
    }
    included.push(...added);
    frontier = added;
  }
  return included.slice(0, MAX_INCLUDED);
}

async function includeQuery(q: Queryable, tenant: string, rule: IncludeRule, reverse: boolean, from: FoundResource[]): Promise<FoundResource[]> {
  const params: unknown[] = [tenant, rule.sourceType];
  const conditions = ['ref.tenant = $1', 'ref.rtype = $2', 'NOT r.deleted'];
  if (rule.code !== '*') {
    params.push(rule.code);
    conditions.push(`ref.code = $${params.length}`);
  }
  if (rule.targetType) {
    params.push(rule.targetType);
    conditions.push(`ref.target_type = $${params.length}`);
  }
  let join: string;
  if (reverse) {
    const targets = from.filter((f) => !rule.targetType || f.type === rule.targetType);
    if (!targets.length) return [];
    const byType = new Map<string, string[]>();
    for (const t of targets) byType.set(t.type, [...(byType.get(t.type) ?? []), t.id]);
    const perType = [...byType].map(([type, ids]) => {
      params.push(type, ids);
      return `(ref.target_type = $${params.length - 1} AND ref.target_id = ANY($${params.length}::text[]))`;
    });
    conditions.push(`(${perType.join(' OR ')})`);
    join = 'r.tenant = ref.tenant AND r.type = ref.rtype AND r.id = ref.rid';
  } else {
    const sources = from.filter((f) => f.type === rule.sourceType);
    if (!sources.length) return [];
    params.push(sources.map((s) => s.id));
    conditions.push(`ref.rid = ANY($${params.length}::text[])`);
    join = 'r.tenant = ref.tenant AND r.type = ref.target_type AND r.id = ref.target_id';
  }
  params.push(MAX_INCLUDED);
  return q.query<FoundResource>(
    `SELECT DISTINCT r.type, r.id, r.content FROM sp_reference ref JOIN resource r ON ${join} WHERE ${conditions.join(' AND ')} LIMIT $${params.length}`,
    params,
  );
}
