// delete: DELETE [base]/[type]/[id], and conditional delete DELETE [base]/[type]?criteria
// (R4 http.html#delete). A deletion is a new version; history is kept.
import { FhirError } from '../../fhir/errors.js';
import { writableCurrent } from '../access.js';
import { conditionalMatches } from '../conditional.js';
import { etag, outcome } from '../response.js';
import { ifMatchVersion, requireType } from '../resource-input.js';
import type { FhirResponse, InteractionHandler } from '../types.js';

const deleted = (message: string, version?: number): FhirResponse => ({
  status: 200,
  headers: version === undefined ? {} : { etag: etag(version) },
  body: outcome('information', message),
});

export const deleteInstance: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id] = req.path;
  requireType(services, type);
  const v = await repo.delete(ctx.tenant, type, id, { ifMatch: ifMatchVersion(req.headers['if-match']), checkCurrent: writableCurrent(ctx, type, id) });
  if (!v) throw new FhirError('not-found', { diagnostics: `${type}/${id} is not known` });
  return deleted(`Deleted ${type}/${id}`, v.version);
};

export const conditionalDelete: InteractionHandler = async (ctx, req, repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  return repo.transaction(async (tx) => {
    const matches = await conditionalMatches(ctx, tx, services, type, req.query);
    if (matches.length > 1) throw new FhirError('precondition-failed', { diagnostics: `The criteria matched ${matches.length} resources; a conditional delete removes at most one` });
    if (matches.length === 0) return deleted(`No ${type} matched; nothing deleted`);
    const v = await tx.delete(ctx.tenant, type, matches[0], { checkCurrent: writableCurrent(ctx, type, matches[0]) });
    return deleted(`Deleted ${type}/${matches[0]}`, v?.version);
  });
};
