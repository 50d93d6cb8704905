// Patient/[id]/$everything on one tenant (R4 patient-operation-everything): the Patient and every
// current resource that refers to it, one searchset Bundle. `_type` narrows the types; the Bundle holds
// at most MAX_EVERYTHING resources and says so when it stops there.
import { readable, requireVisible } from '../access.js';
import { bundle } from '../bundle.js';
import type { BundleEntryOut } from '../bundle.js';
import { RawJson } from '../raw-json.js';
import { outcome, requireCurrent } from '../response.js';
import type { InteractionHandler } from '../types.js';

export const MAX_EVERYTHING = 1000;

export const patientEverything: InteractionHandler = async (ctx, req, repo) => {
  const id = req.path[1];
  const patient = requireCurrent(await repo.read(ctx.tenant, 'Patient', id), 'Patient', id);
  requireVisible(ctx, 'Patient', id, patient.content);
  const types = req.query.filter(([k]) => k === '_type').flatMap(([, v]) => v.split(',').map((t) => t.trim()).filter(Boolean));
  const found = await repo.compartment(ctx.tenant, id, MAX_EVERYTHING + 1, types.length ? [...new Set(['Patient', ...types])] : undefined);
  const entries: BundleEntryOut[] = readable(ctx, found.slice(0, MAX_EVERYTHING)).map((m) => ({ fullUrl: `${ctx.base}/${m.type}/${m.id}`, resource: new RawJson(m.content), search: { mode: 'match' } }));
  if (found.length > MAX_EVERYTHING) {
    entries.push({ resource: outcome('warning', `Only the first ${MAX_EVERYTHING} resources of this Patient's compartment are returned`, 'too-costly'), search: { mode: 'outcome' } });
  }
  return { status: 200, headers: {}, body: bundle('searchset', entries, { total: Math.min(found.length, MAX_EVERYTHING) }) };
};
