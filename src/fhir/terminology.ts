// Expands the R4 ValueSets that are closed enumerations over R4 CodeSystems, so required bindings
// can be checked locally. A ValueSet we cannot expand (external or filtered) returns undefined.
import { readValueSetBundles } from './definitions.js';

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

export function createTerminology(): Terminology {
  // Only the code lists of CodeSystems and the compose rules of ValueSets are kept, not the resources.
  const codeSystems = new Map<string, string[]>();
  const valueSets = new Map<string, ValueSetLike['compose']>();
  const cache = new Map<string, ReadonlySet<string> | undefined>();
  const add = (r: CodeSystemLike | ValueSetLike): void => {
    if (r.resourceType === 'CodeSystem') {
      if (r.concept) codeSystems.set(r.url, flatten(r.concept));
    } else valueSets.set(r.url, r.compose);
    cache.clear();
  };
  for (const bundle of readValueSetBundles()) {
    for (const entry of bundle.entry ?? []) {
      const r = entry.resource as unknown as CodeSystemLike | ValueSetLike;
      if (r.resourceType === 'CodeSystem' || r.resourceType === 'ValueSet') add(r);
    }
  }

  const systemCodes = (system: string): string[] | undefined => codeSystems.get(system);

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
    const compose = valueSets.get(key);
    let result: Set<string> | undefined;
    if (compose?.include?.length) {
      result = new Set();
      for (const inc of compose.include) {
        const codes = includeCodes(inc, seen);
        if (!codes) {
          result = undefined;
          break;
        }
        for (const c of codes) result.add(c);
      }
      for (const exc of result ? (compose.exclude ?? []) : []) {
        for (const c of includeCodes(exc, seen) ?? []) result?.delete(c);
      }
    }
    cache.set(key, result);
    return result;
  };

  return { codesOf: (url) => expand(url, new Set()), add };
}

function flatten(nodes: ConceptNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    if (n.code) out.push(n.code);
    if (n.concept) flatten(n.concept, out);
  }
  return out;
}
