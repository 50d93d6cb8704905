// Expands the R4 ValueSets that are closed enumerations over R4 CodeSystems, so required bindings
// can be checked locally. A ValueSet we cannot expand (external or filtered) returns undefined.
import type { Definitions } from './definitions.js';

interface ConceptNode { code?: string; concept?: ConceptNode[] }
interface CodeSystemLike { resourceType: 'CodeSystem'; url: string; concept?: ConceptNode[] }
interface ComposeInclude { system?: string; concept?: { code: string }[]; filter?: unknown[]; valueSet?: string[] }
interface ValueSetLike {
  resourceType: 'ValueSet';
  url: string;
  compose?: { include?: ComposeInclude[]; exclude?: ComposeInclude[] };
}

export interface Terminology {
  /** The codes a ValueSet allows, or undefined when it is not a closed, locally known set. */
  codesOf(valueSetUrl: string): ReadonlySet<string> | undefined;
  /** Adds CodeSystems / ValueSets shipped by the platform (UK Core, MODS). */
  add(resource: CodeSystemLike | ValueSetLike): void;
}

export function createTerminology(defs: Definitions): Terminology {
  const codeSystems = new Map<string, CodeSystemLike>();
  const valueSets = new Map<string, ValueSetLike>();
  const cache = new Map<string, ReadonlySet<string> | undefined>();
  const add = (r: CodeSystemLike | ValueSetLike): void => {
    if (r.resourceType === 'CodeSystem') codeSystems.set(r.url, r);
    else valueSets.set(r.url, r);
    cache.clear();
  };
  for (const bundle of defs.valueSetBundles) {
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource as unknown as CodeSystemLike | ValueSetLike;
      if (r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet') add(r);
    }
  }

  const systemCodes = (system: string): string[] | undefined => {
    const cs = codeSystems.get(system);
    if (!cs?.concept) return undefined;
    const out: string[] = [];
    const walk = (nodes: ConceptNode[]): void => {
      for (const n of nodes) {
        if (n.code) out.push(n.code);
        if (n.concept) walk(n.concept);
      }
    };
    walk(cs.concept);
    return out;
  };

  const includeCodes = (inc: ComposeInclude, seen: Set<string>): string[] | undefined => {
    if (inc.filter?.length) return undefined;
    const codes: string[] = [];
    if (inc.concept) codes.push(...inc.concept.map((c) => c.code));
    else if (inc.system) {
      const all = systemCodes(inc.system);
      if (!all) return undefined;
      codes.push(...all);
    }
    for (const vs of inc.valueSet ?? []) {
      const nested = expand(vs, seen);
      if (!nested) return undefined;
      codes.push(...nested);
    }
    return codes;
  };

  const expand = (url: string, seen: Set<string>): ReadonlySet<string> | undefined => {
    const key = url.split('|')[0];
    if (cache.has(key)) return cache.get(key);
    if (seen.has(key)) return undefined;
    seen.add(key);
    const vs = valueSets.get(key);
    let result: Set<string> | undefined;
    if (vs?.compose?.include?.length) {
      result = new Set();
      for (const inc of vs.compose.include) {
        const codes = includeCodes(inc, seen);
        if (!codes) {
          result = undefined;
          break;
        }
        for (const c of codes) result.add(c);
      }
      for (const exc of result ? (vs.compose.exclude ?? []) : []) {
        for (const c of includeCodes(exc, seen) ?? []) result?.delete(c);
      }
    }
    cache.set(key, result);
    return result;
  };

  return { codesOf: (url) => expand(url, new Set()), add };
}
