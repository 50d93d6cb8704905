// StructureMap/$transform (FHIR R4 operation, api-contract.md): MODS ⇄ FHIR for any base, without
// touching the store. `POST [base]/StructureMap/$transform` takes Parameters (source = the canonical
// map URL, content = the input); `POST [base]/$transform?target=mods|fhir[&class=…]` takes the input
// itself. A MODS collection or a Bundle may carry several records.
import { randomUUID } from 'node:crypto';
import { FhirError } from '../fhir/errors.js';
import type { Bundle, Parameters, Resource } from '../fhir/types.js';
import type { OperationDescriptor } from '../rest/operations.js';
import { RawJson } from '../rest/raw-json.js';
import type { FhirRequest, FhirResponse, InteractionHandler } from '../rest/types.js';
import { fhirToMods, modsToFhir, parseMods } from './adapter.js';
import { mapByUrl } from './catalogue.js';
import type { ModsClass, ModsRecord } from './classes.js';
import { MODS_CLASSES, modsClass } from './classes.js';
import type { FhirEntry } from './mapping/shared.js';
import { partReferences } from './mapping/shared.js';
import { MODS_CLASS_SYSTEM } from './terminology.js';

export const MODS_COLLECTION = 'MODS-Collection';
export const MODS_JSON = 'application/json; charset=utf-8';

/** Several MODS records travel as `{ resourceType: 'MODS-Collection', records: [...] }`. */
export interface ModsCollection {
  resourceType: typeof MODS_COLLECTION;
  records: unknown[];
  /** Bundle entries that could not be MODS records, and why. */
  omitted?: { fullUrl?: string; issues: string[] }[];
}

/** MODS records (one, or a collection's) → their FHIR resources: one resource, or a collection Bundle. */
export function transformToFhir(cls: ModsClass, input: unknown, today: string): Resource {
  const records = isCollection(input) ? input.records : [input];
  const ctx = { newUuid: randomUUID, today };
  const entries: FhirEntry[] = records.flatMap((r, i) => {
    try {
      return modsToFhir(cls, parseMods(cls, r), ctx);
    } catch (err) {
      throw isCollection(input) && err instanceof FhirError ? atRecord(err, i) : err;
    }
  });
  if (entries.length === 1) return entries[0].resource;
  return { resourceType: 'Bundle', type: 'collection', entry: entries.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource })) } as Bundle;
}

/**
 * FHIR (a resource or a Bundle) → MODS: every resource of the class's FHIR type that is not a part of
 * another record becomes a record. `cls` undefined: each resource's class comes from its MODS tag, or
 * from its type when only one class maps to it. In a Bundle, a resource that cannot be a MODS record
 * (a Patient without the demographics MODS requires) is listed under `omitted` with the reasons, and
 * relative references resolve against the entry's fullUrl, so records merged from several tenants
 * keep their own parts.
 */
export function transformToMods(input: Resource, cls: ModsClass | undefined): ModsRecord | ModsCollection {
  if (input.resourceType !== 'Bundle') return fhirToMods(cls ?? (classOf(input, true) as ModsClass), input, () => undefined);
  const resources = ((input as Bundle).entry ?? []).flatMap((e) => (e.resource ? [{ fullUrl: e.fullUrl, resource: e.resource }] : []));
  const byUrl = new Map<string, Resource>();
  for (const { fullUrl, resource } of resources) {
    byUrl.set(fullUrl ?? `${resource.resourceType}/${resource.id ?? ''}`, resource);
    if (resource.id) byUrl.set(`${resource.resourceType}/${resource.id}`, byUrl.get(`${resource.resourceType}/${resource.id}`) ?? resource);
  }
  const lookupFrom = (fullUrl: string | undefined) => (ref: string) => byUrl.get(resolveAgainst(fullUrl, ref)) ?? byUrl.get(ref);
  const parts = new Set(resources.flatMap(({ fullUrl, resource }) => partReferences(resource).map(lookupFrom(fullUrl))));
  const records: ModsRecord[] = [];
  const omitted: { fullUrl?: string; issues: string[] }[] = [];
  for (const { fullUrl, resource } of resources) {
    const target = parts.has(resource) ? undefined : (cls ?? classOf(resource, false));
    if (!target || target.fhirType !== resource.resourceType) continue;
    try {
      records.push(fhirToMods(target, resource, lookupFrom(fullUrl)));
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      omitted.push({ fullUrl: fullUrl ?? `${resource.resourceType}/${resource.id ?? ''}`, issues: err.issues.map((i) => i.diagnostics ?? '') });
    }
  }
  return { resourceType: MODS_COLLECTION, records, ...(omitted.length ? { omitted } : {}) };
}

/** A relative `Type/id` reference read in an entry whose fullUrl is absolute: the same server's base. */
function resolveAgainst(fullUrl: string | undefined, ref: string): string {
  const m = fullUrl ? /^(https?:\/\/.+\/)[A-Za-z]+\/[^/]+$/.exec(fullUrl) : null;
  return m && /^[A-Za-z]+\/[^/]+$/.test(ref) ? `${m[1]}${ref}` : ref;
}

function classOf(resource: Resource, required: boolean): ModsClass | undefined {
  const tag = resource.meta?.tag?.find((t) => t.system === MODS_CLASS_SYSTEM)?.code;
  const candidates = tag ? MODS_CLASSES.filter((c) => c.name === tag) : MODS_CLASSES.filter((c) => c.fhirType === resource.resourceType);
  if (candidates.length === 1) return candidates[0];
  if (!required) return undefined;
  throw new FhirError('unprocessable', {
    diagnostics: candidates.length === 0
      ? `No MODS class maps from a ${resource.resourceType}`
      : `A ${resource.resourceType} can be a MODS ${candidates.map((c) => c.name).join(', ')}: name the class (class=… or the fhir-to-mods-{class} map)`,
    expression: 'class',
  });
}

const isCollection = (v: unknown): v is ModsCollection =>
  typeof v === 'object' && v !== null && (v as { resourceType?: unknown }).resourceType === MODS_COLLECTION && Array.isArray((v as { records?: unknown }).records);

/** Issues of the i-th record in a collection say which record they are about. */
function atRecord(err: FhirError, i: number): FhirError {
  return new FhirError(err.category, err.issues.map((issue) => ({ ...issue, expression: issue.expression?.map((e) => `records[${i}].${e}`), diagnostics: `records[${i}]: ${issue.diagnostics ?? ''}` })));
}

function parseModsText(text: string, expression: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FhirError('invalid', { diagnostics: `${expression} is not valid JSON: ${(err as Error).message}`, expression });
  }
}

function respond(output: unknown, mods: boolean): FhirResponse {
  return mods ? { status: 200, headers: {}, body: new RawJson(JSON.stringify(output)), contentType: MODS_JSON } : { status: 200, headers: {}, body: output as Resource };
}

const today = (): string => new Date().toISOString().slice(0, 10);

/** The R4 form: Parameters with `source` (the map's canonical URL) and `content`. */
function fromParameters(req: FhirRequest): FhirResponse {
  const params = req.body as Parameters;
  const source = params.parameter?.find((p) => p.name === 'source');
  const url = source?.valueUri ?? source?.valueCanonical ?? source?.valueString;
  if (!url) throw new FhirError('invalid', { diagnostics: "Parameter 'source' (the canonical URL of a map, valueUri) is required", expression: 'Parameters.parameter.source' });
  const map = mapByUrl(url);
  if (!map) throw new FhirError('not-found', { diagnostics: `No StructureMap '${url}' (GET [base]/StructureMap lists them)`, expression: 'Parameters.parameter.source' });
  const content = params.parameter?.find((p) => p.name === 'content');
  if (map.direction === 'to-fhir') {
    const text = content?.valueString;
    if (text === undefined) throw new FhirError('invalid', { diagnostics: "Parameter 'content' must carry the MODS JSON as valueString", expression: 'Parameters.parameter.content' });
    return respond(transformToFhir(map.cls, parseModsText(text, 'Parameters.parameter.content.valueString'), today()), false);
  }
  if (!content?.resource) throw new FhirError('invalid', { diagnostics: "Parameter 'content' must carry the FHIR resource or Bundle in resource", expression: 'Parameters.parameter.content' });
  return respond(transformToMods(content.resource, map.cls), true);
}

/** The shorthand: `?target=mods` with FHIR in, `?target=fhir&class=…` with MODS in. */
function fromShorthand(req: FhirRequest): FhirResponse {
  const target = req.query.find(([k]) => k === 'target')?.[1];
  const className = req.query.find(([k]) => k === 'class')?.[1];
  const cls = className === undefined ? undefined : modsClass(className);
  if (className !== undefined && !cls) throw new FhirError('invalid', { diagnostics: `Unknown MODS class '${className}' (${MODS_CLASSES.map((c) => c.name).join(', ')})`, expression: 'class' });
  if (target === 'fhir') {
    if (!cls) throw new FhirError('invalid', { diagnostics: 'target=fhir needs class={the MODS class}', expression: 'class' });
    return respond(transformToFhir(cls, req.body, today()), false);
  }
  if (target === 'mods') {
    const body = req.body as Resource | undefined;
    if (typeof body?.resourceType !== 'string') throw new FhirError('invalid', { diagnostics: 'target=mods takes a FHIR resource or Bundle as the body', expression: 'resourceType' });
    return respond(transformToMods(body, cls), true);
  }
  throw new FhirError('invalid', { diagnostics: "$transform needs target=mods or target=fhir (or a Parameters body with 'source' and 'content')", expression: 'target' });
}

const transformHandler: InteractionHandler = (_ctx, req) => {
  const body = req.body as { resourceType?: unknown } | undefined;
  const parametersForm = body?.resourceType === 'Parameters' && !req.query.some(([k]) => k === 'target');
  return Promise.resolve(parametersForm ? fromParameters(req) : fromShorthand(req));
};

export const TRANSFORM_OPERATION: OperationDescriptor = {
  name: 'transform',
  definition: 'http://hl7.org/fhir/OperationDefinition/StructureMap-transform',
  levels: ['system', 'type'],
  types: ['StructureMap'],
  methods: ['POST'],
  affectsState: false,
  handler: transformHandler,
};
