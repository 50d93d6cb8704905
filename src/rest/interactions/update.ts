// update: PUT [base]/[type]/[id] including update-as-create, and conditional update
// PUT [base]/[type]?criteria (R4 http.html#update, #cond-update). If-Match gives optimistic locking.
import { FhirError, invalid } from '../../fhir/errors.js';
import type { Resource } from '../../fhir/types.js';
import type { Repository } from '../../store/index.js';
import { writableCurrent } from '../access.js';
import { conditionalMatches } from '../conditional.js';
import { writeResponse } from '../response.js';
import { bodyResource, ifMatchVersion, requireId, requireType, validateForWrite } from '../resource-input.js';
import type { FhirRequest, FhirResponse, InteractionHandler, RequestContext } from '../types.js';

export const update: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id] = req.path;
  requireType(services, type);
  requireId(id);
  const resource = bodyResource(req.body, type);
  if (resource.id === undefined) throw invalid('An update must carry the resource id in the body', 'id');
  if (resource.id !== id) throw invalid(`The body's id '${resource.id}' does not match the URL id '${id}'`, 'id');
  validateForWrite(ctx, services, resource);
  return put(ctx, req, repo, resource, id);
};

export const conditionalUpdate: InteractionHandler = async (ctx, req, repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  const resource = bodyResource(req.body, type);
  validateForWrite(ctx, services, resource);
  return repo.transaction(async (tx) => {
    const matches = await conditionalMatches(ctx, tx, services, type, req.query);
    if (matches.length > 1) throw new FhirError('precondition-failed', { diagnostics: `The criteria matched ${matches.length} resources; a conditional update needs at most one` });
    const id = matches[0] ?? resource.id;
    if (matches[0] && resource.id !== undefined && resource.id !== matches[0]) {
      throw invalid(`The body's id '${resource.id}' differs from the matched resource ${type}/${matches[0]}`, 'id');
    }
    if (id === undefined) {
      const written = await tx.create(ctx.tenant, resource);
      return writeResponse(ctx, req, 201, written.version, `Created ${type}/${written.version.id}`);
    }
    requireId(id);
    return put(ctx, req, tx, resource, id);
  });
};

async function put(ctx: RequestContext, req: FhirRequest, repo: Repository, resource: Resource, id: string): Promise<FhirResponse> {
  const written = await repo.update(ctx.tenant, resource, id, { ifMatch: ifMatchVersion(req.headers['if-match']), checkCurrent: writableCurrent(ctx, resource.resourceType, id) });
  const v = written.version;
  return writeResponse(ctx, req, written.created ? 201 : 200, v, `${written.created ? 'Created' : 'Updated'} ${v.type}/${v.id} version ${v.version}`);
}
