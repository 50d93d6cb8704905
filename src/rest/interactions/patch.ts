// patch: PATCH [base]/[type]/[id] with a JSON Patch document (R4 http.html#patch, RFC 6902), and the
// conditional form PATCH [base]/[type]?criteria. The patched resource is validated like any update.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { FhirError, invalid } from '../../fhir/errors.js';
import type { Resource } from '../../fhir/types.js';
import type { Repository } from '../../store/index.js';
import { requireVisible } from '../access.js';
import { conditionalMatches } from '../conditional.js';
import { requireCurrent, writeResponse } from '../response.js';
import { ifMatchVersion, requireType, validateForWrite } from '../resource-input.js';
import type { FhirRequest, FhirResponse, InteractionHandler, RequestContext, RestServices } from '../types.js';

export const patch: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id] = req.path;
  requireType(services, type);
  return repo.transaction((tx) => applyPatch(ctx, req, tx, services, type, id));
};

export const conditionalPatch: InteractionHandler = async (ctx, req, repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  return repo.transaction(async (tx) => {
    const matches = await conditionalMatches(ctx, tx, services, type, req.query);
    if (matches.length !== 1) {
      throw new FhirError(matches.length ? 'precondition-failed' : 'not-found', { diagnostics: `The criteria matched ${matches.length} resources; a conditional patch needs exactly one` });
    }
    return applyPatch(ctx, req, tx, services, type, matches[0]);
  });
};

async function applyPatch(ctx: RequestContext, req: FhirRequest, repo: Repository, services: RestServices, type: string, id: string): Promise<FhirResponse> {
  if (req.contentType !== 'application/json-patch+json') {
    throw new FhirError('unsupported-media-type', { diagnostics: 'PATCH takes a JSON Patch document (Content-Type: application/json-patch+json)' });
  }
  const operations = req.body;
  if (!Array.isArray(operations)) throw invalid('A JSON Patch document is an array of operations');
  const current = requireCurrent(await repo.read(ctx.tenant, type, id), type, id);
  requireVisible(ctx, type, id, current.content);
  const ifMatch = ifMatchVersion(req.headers['if-match']);
  if (ifMatch !== undefined && ifMatch !== current.version) {
    throw new FhirError('precondition-failed', { diagnostics: `Version conflict: If-Match names version ${ifMatch} but the current version is ${current.version}` });
  }
  const validationError = jsonpatch.validate(operations as Operation[], JSON.parse(current.content));
  if (validationError?.name === 'TEST_OPERATION_FAILED') {
    throw new FhirError('unprocessable', { diagnostics: `JSON Patch test operation ${validationError.index ?? '?'} failed: the resource does not hold the tested value`, expression: `[${validationError.index ?? 0}]` });
  }
  if (validationError) {
    throw invalid(`JSON Patch operation ${validationError.index ?? '?'} (${validationError.name}) cannot apply: ${validationError.message.split('\n')[0]}`, `[${validationError.index ?? 0}]`);
  }
  let patched: Resource;
  try {
    patched = jsonpatch.applyPatch(JSON.parse(current.content), operations as Operation[], true, false).newDocument as Resource;
  } catch (err) {
    // fast-json-patch throws on a failed `test` operation or a bad path.
    throw new FhirError('unprocessable', { diagnostics: `JSON Patch failed: ${(err as Error).message.split('\n')[0]}` });
  }
  if (patched.resourceType !== type || patched.id !== id) throw invalid('A patch may not change resourceType or id', 'id');
  validateForWrite(ctx, services, patched);
  const written = await repo.update(ctx.tenant, patched, id, { ifMatch: current.version, method: 'PATCH' });
  return writeResponse(ctx, req, 200, written.version, `Patched ${type}/${id} to version ${written.version.version}`);
}
