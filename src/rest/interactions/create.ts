// create: POST [base]/[type], conditional with If-None-Exist (R4 http.html#create, #ccreate).
import { FhirError } from '../../fhir/errors.js';
import { conditionalMatches, criteriaFrom } from '../conditional.js';
import { requireCurrent, writeResponse } from '../response.js';
import { bodyResource, requireType, validateForWrite } from '../resource-input.js';
import type { InteractionHandler } from '../types.js';

export const create: InteractionHandler = async (ctx, req, repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  const resource = bodyResource(req.body, type);
  validateForWrite(ctx, services, resource);
  const ifNoneExist = req.headers['if-none-exist'];
  if (!ifNoneExist) {
    const written = await repo.create(ctx.tenant, resource);
    return writeResponse(ctx, req, 201, written.version, `Created ${type}/${written.version.id}`);
  }
  return repo.transaction(async (tx) => {
    const matches = await conditionalMatches(ctx, tx, services, type, criteriaFrom(ifNoneExist));
    if (matches.length > 1) {
      throw new FhirError('precondition-failed', { diagnostics: `If-None-Exist matched ${matches.length} resources; it must match at most one` });
    }
    if (matches.length === 1) {
      const existing = requireCurrent(await tx.read(ctx.tenant, type, matches[0]), type, matches[0]);
      return writeResponse(ctx, req, 200, existing, `${type}/${existing.id} already matches If-None-Exist; nothing created`);
    }
    const written = await tx.create(ctx.tenant, resource);
    return writeResponse(ctx, req, 201, written.version, `Created ${type}/${written.version.id}`);
  });
};
