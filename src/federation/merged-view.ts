// The merged view of a person (`Patient/{person}/$merged-view` on the central base): what every
// source holds, combined without losing anything or deciding anything silently.
// - Demographics: one Patient built from the source Patients. A value every source agrees on appears
//   once; each value lists the source records that hold it (`merged-source`). Where sources disagree on
//   something a person has only one of (date of birth, gender, NHS number, current home address, the
//   phone number of one kind), the disagreement is a `merged-conflict` listing every alternative and who
//   holds it — and a single-valued element in conflict is left out rather than picked.
// - Items (alerts, allergies, …): items that are the same fact (same type, same coded concept, same
//   status) collapse into one entry, the most recently updated, listing every source item it stands
//   for; items with no code are never collapsed. The source Patients follow as `include` entries.
import type { Address, ContactPoint, Extension, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import type { BundleEntry, Resource } from '../fhir/types.js';
import type { BundleEntryOut } from '../rest/bundle.js';

export const MERGED_SOURCE = 'https://openscip.org/fhir/StructureDefinition/merged-source';
export const MERGED_CONFLICT = 'https://openscip.org/fhir/StructureDefinition/merged-conflict';

export interface SourceItems {
  tenant: string;
  base: string;
  entries: BundleEntry[];
}

interface Held<T> {
  value: T;
  sources: string[];
}

const sourceExtensions = (sources: string[]): Extension[] => sources.map((s) => ({ url: MERGED_SOURCE, valueUri: s }));
const fullUrl = (base: string, e: BundleEntry): string => e.fullUrl ?? `${base}/${e.resource?.resourceType ?? ''}/${e.resource?.id ?? ''}`;

/** Groups values by a comparison key, remembering which sources hold each. */
function collect<T>(items: { value: T; source: string }[], key: (v: T) => string): Held<T>[] {
  const groups = new Map<string, Held<T>>();
  for (const { value, source } of items) {
    const k = key(value);
    const g = groups.get(k);
    if (g) {
      if (!g.sources.includes(source)) g.sources.push(source);
    } else groups.set(k, { value, sources: [source] });
  }
  return [...groups.values()];
}

const norm = (s: string | undefined): string => (s ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
const nameKey = (n: HumanName): string => `${norm(n.family)}|${(n.given ?? []).map(norm).join(' ')}`;
const telecomKey = (t: ContactPoint): string => `${t.system ?? ''}|${t.system === 'email' ? (t.value ?? '').toLowerCase() : norm(t.value)}`;
const addressKey = (a: Address): string => `${norm(a.line?.[0])}|${norm(a.postalCode)}`;
const identifierKey = (i: Identifier): string => `${i.system ?? ''}|${(i.value ?? '').replace(/\s/g, '')}`;
const isCurrentHome = (a: Address): boolean => (a.use ?? 'home') === 'home' && !a.period?.end;

function conflict(element: string, alternatives: Held<unknown>[]): Extension {
  return {
    url: MERGED_CONFLICT,
    extension: [
      { url: 'element', valueString: element },
      ...alternatives.map((a) => ({ url: 'alternative', extension: [{ url: 'value', valueString: typeof a.value === 'string' ? a.value : JSON.stringify(a.value) }, ...sourceExtensions(a.sources)] })),
    ],
  };
}

/** The person's demographics combined from their source Patients (see the header for the rules). */
export function mergeDemographics(golden: Patient, sources: { url: string; patient: Patient }[]): Patient {
  const all = <T>(pick: (p: Patient) => T[] | undefined) => sources.flatMap((s) => (pick(s.patient) ?? []).map((value) => ({ value, source: s.url })));
  const conflicts: Extension[] = [];
  const withSources = <T extends { extension?: Extension[] }>(held: Held<T>[]): T[] => held.map((h) => ({ ...h.value, extension: [...(h.value.extension ?? []), ...sourceExtensions(h.sources)] }));

  const identifiers = collect(all((p) => p.identifier), identifierKey);
  const nhs = identifiers.filter((i) => i.value.system === NHS_NUMBER_SYSTEM);
  if (nhs.length > 1) conflicts.push(conflict('identifier:nhsNumber', nhs.map((h) => ({ value: h.value.value, sources: h.sources }))));
  const names = collect(all((p) => p.name), nameKey);
  const telecoms = collect(all((p) => p.telecom), telecomKey);
  for (const system of new Set(telecoms.map((t) => `${t.value.system ?? ''}/${t.value.use ?? ''}`))) {
    const same = telecoms.filter((t) => `${t.value.system ?? ''}/${t.value.use ?? ''}` === system);
    if (same.length > 1) conflicts.push(conflict(`telecom(${system})`, same.map((h) => ({ value: h.value.value, sources: h.sources }))));
  }
  const addresses = collect(all((p) => p.address), addressKey);
  const homes = addresses.filter((a) => isCurrentHome(a.value));
  if (homes.length > 1) conflicts.push(conflict('address(current home)', homes.map((h) => ({ value: [...(h.value.line ?? []), h.value.postalCode].filter(Boolean).join(', '), sources: h.sources }))));

  const single = (element: 'birthDate' | 'gender'): Record<string, unknown> => {
    const held = collect(all((p) => (p[element] ? [p[element] as string] : [])), (v) => v);
    if (held.length > 1) {
      conflicts.push(conflict(element, held));
      return {};
    }
    return held.length ? { [element]: held[0].value, [`_${element}`]: { extension: sourceExtensions(held[0].sources) } } : {};
  };

  return {
    resourceType: 'Patient',
    id: golden.id,
    ...(golden.meta ? { meta: golden.meta } : {}),
    ...(conflicts.length ? { extension: conflicts } : {}),
    ...(identifiers.length ? { identifier: withSources(identifiers) } : {}),
    ...(golden.active !== undefined ? { active: golden.active } : {}),
    ...(names.length ? { name: withSources(names) } : {}),
    ...(telecoms.length ? { telecom: withSources(telecoms) } : {}),
    ...single('gender'),
    ...single('birthDate'),
    ...(addresses.length ? { address: withSources(addresses) } : {}),
    ...(golden.link ? { link: golden.link } : {}),
  } as Patient;
}

/** What makes two items the same fact: their type, coded concept and status; undefined when uncoded. */
function factKey(r: Resource): string | undefined {
  const x = r as { code?: { coding?: { system?: string; code?: string }[]; text?: string }; status?: string; clinicalStatus?: { coding?: { code?: string }[] }; verificationStatus?: { coding?: { code?: string }[] } };
  const codes = (x.code?.coding ?? []).filter((c) => c.code).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).sort();
  const concept = codes.length ? codes.join(',') : x.code?.text ? `text:${x.code.text.trim().toLowerCase()}` : undefined;
  if (!concept) return undefined;
  const status = [x.status, x.clinicalStatus?.coding?.[0]?.code, x.verificationStatus?.coding?.[0]?.code].filter(Boolean).join('/');
  return `${r.resourceType}|${concept}|${status}`;
}

/** Items from every source with same facts collapsed; each entry names every source item it stands for. */
export function collapseItems(sources: SourceItems[]): BundleEntryOut[] {
  const groups = new Map<string, { entry: BundleEntry; base: string; sources: string[] }>();
  const out: { entry: BundleEntry; base: string; sources: string[] }[] = [];
  for (const s of sources) {
    for (const e of s.entries) {
      const r = e.resource as Resource;
      if (r.resourceType === 'Patient') continue;
      const key = factKey(r);
      const group = key ? groups.get(key) : undefined;
      if (group) {
        group.sources.push(fullUrl(s.base, e));
        if ((r.meta?.lastUpdated ?? '') > (group.entry.resource?.meta?.lastUpdated ?? '')) Object.assign(group, { entry: e, base: s.base });
        continue;
      }
      const created = { entry: e, base: s.base, sources: [fullUrl(s.base, e)] };
      if (key) groups.set(key, created);
      out.push(created);
    }
  }
  return out.map((g) => {
    const r = g.entry.resource as Resource & { extension?: Extension[] };
    return { fullUrl: fullUrl(g.base, g.entry), resource: { ...r, meta: { ...r.meta, source: g.base }, extension: [...(r.extension ?? []), ...sourceExtensions(g.sources)] }, search: { mode: 'match' as const } };
  });
}

/** The merged view's entries: the combined Patient, the items with same facts collapsed, then the source Patients. */
export function mergedView(personUrl: string, golden: Patient, sources: SourceItems[]): BundleEntryOut[] {
  const patients = sources.flatMap((s) => s.entries.filter((e) => e.resource?.resourceType === 'Patient').map((entry) => ({ base: s.base, entry })));
  return [
    { fullUrl: personUrl, resource: mergeDemographics(golden, patients.map((p) => ({ url: fullUrl(p.base, p.entry), patient: p.entry.resource as Patient }))), search: { mode: 'match' } },
    ...collapseItems(sources),
    ...patients.map((p) => ({ fullUrl: fullUrl(p.base, p.entry), resource: { ...(p.entry.resource as Resource), meta: { ...p.entry.resource?.meta, source: p.base } }, search: { mode: 'include' as const } })),
  ];
}
