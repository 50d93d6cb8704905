// vread: GET [base]/[type]/[id]/_history/[vid] (R4 http.html#vread).
import { FhirError } from '../../fhir/errors.js';
import { RawJson } from '../raw-json.js';
import { versionHeaders } from '../response.js';
import { requireType } from '../resource-input.js';
import { requireVisible } from '../access.js';
import type { InteractionHandler } from '../types.js';

export const vread: InteractionHandler = async (ctx, req, repo, services) => {
  const [type, id, , vid] = req.path;
  requireType(services, type);
  if (!/^\d{1,9}$/.test(vid)) throw new FhirError('not-found', { diagnostics: `${type}/${id} has no version '${vid}'` });
  const v = await repo.vread(ctx.tenant, type, id, Number(vid));
  if (!v) throw new FhirError('not-found', { diagnostics: `${type}/${id} has no version ${vid}` });
  if (v.deleted) throw new FhirError('gone', { diagnostics: `Version ${vid} of ${type}/${id} is a deletion` }, versionHeaders(ctx, v, false));
  requireVisible(ctx, type, id, v.content);
  return { status: 200, headers: versionHeaders(ctx, v, false), body: new RawJson(v.content) };
};
