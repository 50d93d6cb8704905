// Response shaping requested by the client: _summary, _elements (R4 §3.1.1.5.9-10) and _pretty.
import { getDataType } from '@medplum/core';
import { invalid } from '../fhir/errors.js';
import type { Resource } from '../fhir/types.js';

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
const ALWAYS = new Set(['resourceType', 'id', 'meta']);

export type Summary = 'true' | 'text' | 'data' | 'count' | 'false';

export interface RenderOptions {
  summary?: Summary;
  elements?: string[];
}

export function renderOptions(query: [string, string][]): RenderOptions {
  const options: RenderOptions = {};
  for (const [key, value] of query) {
    if (key === '_summary') {
      if (!['true', 'text', 'data', 'count', 'false'].includes(value)) throw invalid(`_summary must be true, text, data, count or false`, '_summary');
      options.summary = value as Summary;
    } else if (key === '_elements') {
      options.elements = value.split(',').map((e) => e.trim()).filter(Boolean);
    }
  }
  return options;
}

export function needsShaping(o: RenderOptions): boolean {
  return (o.summary !== undefined && o.summary !== 'false' && o.summary !== 'count') || (o.elements?.length ?? 0) > 0;
}

/** Applies _summary / _elements to one resource (Bundles: to each entry's resource). */
export function shapeResource(resource: Resource, o: RenderOptions): Resource {
  const r = resource as unknown as Record<string, unknown>;
  let keep: ((key: string) => boolean) | undefined;
  if (o.elements?.length) {
    const wanted = new Set(o.elements.map((e) => e.split('.')[0].replace(/^[A-Z][A-Za-z]+\./, '')));
    keep = (k) => ALWAYS.has(k) || wanted.has(k);
  } else if (o.summary === 'true') {
    const summary = summaryElements(resource.resourceType);
    keep = (k) => ALWAYS.has(k) || summary.has(k);
  } else if (o.summary === 'text') {
    const mandatory = mandatoryElements(resource.resourceType);
    keep = (k) => ALWAYS.has(k) || k === 'text' || mandatory.has(k);
  } else if (o.summary === 'data') {
    keep = (k) => k !== 'text';
  }
  if (!keep) return resource;
  const shaped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const base = k.startsWith('_') ? k.slice(1) : k;
    if (keep(base) || keep(k)) shaped[k] = v;
  }
  const meta = { ...(shaped.meta as Record<string, unknown> | undefined) };
  meta.tag = [...((meta.tag as unknown[]) ?? []), SUBSETTED];
  shaped.meta = meta;
  return shaped as unknown as Resource;
}

function elementNames(type: string, pick: (name: string, min: number, isSummary: boolean) => boolean): Set<string> {
  const schema = getDataType(type);
  const names = new Set<string>();
  for (const [name, element] of Object.entries(schema.elements)) {
    const isSummary = schema.summaryProperties?.has(name.replace('[x]', '')) ?? false;
    if (!pick(name, element.min, isSummary)) continue;
    if (name.endsWith('[x]')) {
      const stem = name.slice(0, -3);
      for (const t of element.type) names.add(stem + t.code[0].toUpperCase() + t.code.slice(1));
    } else names.add(name);
  }
  return names;
}

const summaryCache = new Map<string, Set<string>>();
const mandatoryCache = new Map<string, Set<string>>();

function summaryElements(type: string): Set<string> {
  let s = summaryCache.get(type);
  if (!s) summaryCache.set(type, (s = elementNames(type, (_n, min, isSummary) => isSummary || min > 0)));
  return s;
}

function mandatoryElements(type: string): Set<string> {
  let s = mandatoryCache.get(type);
  if (!s) mandatoryCache.set(type, (s = elementNames(type, (_n, min) => min > 0)));
  return s;
}
