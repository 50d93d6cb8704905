// Conditional interactions (create with If-None-Exist, update/delete/patch by search URL): resolve the
// criteria to the matching ids, under a lock so two concurrent conditional writes cannot both create.
import { FhirError } from '../fhir/errors.js';
import { parseSearch } from '../fhir/search/parse.js';
import type { Repository } from '../store/index.js';
import type { RequestContext, RestServices } from './types.js';

export async function conditionalMatches(
  ctx: RequestContext,
  repo: Repository,
  services: RestServices,
  type: string,
  criteria: [string, string][],
): Promise<string[]> {
  if (criteria.length === 0) throw new FhirError('precondition-failed', { diagnostics: 'A conditional request needs search criteria' });
  const request = parseSearch(services.defs, type, criteria);
  request.count = 2;
  request.total = 'none';
  await repo.lock(`${ctx.tenant}|${type}|${JSON.stringify(request.canonical)}`);
  const result = await repo.search(ctx.tenant, request);
  return result.matches.map((m) => m.id);
}

export function criteriaFrom(query: string): [string, string][] {
  return [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query).entries()];
}
