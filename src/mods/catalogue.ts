// The conformance resources the MODS adapter publishes on every base: a StructureMap per direction and
// class (the canonical URLs of api-contract.md), the About Me Questionnaire, and the shipped CodeSystems
// and ValueSets. They are installed into each store at start, so `GET [base]/StructureMap` and friends
// are ordinary FHIR searches.
import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../fhir/types.js';
import type { Repository } from '../store/index.js';
import { MODS_CLASSES } from './classes.js';
import type { ModsClass } from './classes.js';
import { aboutMeQuestionnaire } from './mapping/about-me.js';
import { terminologyResources } from './terminology.js';

export const STRUCTURE_MAP_BASE = 'https://openscip.org/fhir/StructureMap';

export type Direction = 'to-fhir' | 'to-mods';

export const mapUrl = (cls: ModsClass, direction: Direction): string =>
  direction === 'to-fhir' ? `${STRUCTURE_MAP_BASE}/mods-${cls.name}-to-fhir` : `${STRUCTURE_MAP_BASE}/fhir-to-mods-${cls.name}`;

/** The class and direction a canonical map URL names (a `|version` suffix is allowed). */
export function mapByUrl(url: string): { cls: ModsClass; direction: Direction } | undefined {
  const bare = url.split('|')[0];
  for (const cls of MODS_CLASSES) {
    if (bare === mapUrl(cls, 'to-fhir')) return { cls, direction: 'to-fhir' };
    if (bare === mapUrl(cls, 'to-mods')) return { cls, direction: 'to-mods' };
  }
  return undefined;
}

const pascal = (s: string): string => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());

function structureMap(cls: ModsClass, direction: Direction): Resource {
  const url = mapUrl(cls, direction);
  const name = direction === 'to-fhir' ? `Mods${pascal(cls.name)}ToFhir` : `FhirToMods${pascal(cls.name)}`;
  const [from, to] = direction === 'to-fhir' ? [cls.resourceType, cls.fhirType] : [cls.fhirType, cls.resourceType];
  return {
    resourceType: 'StructureMap',
    id: url.split('/').pop() as string,
    url,
    name,
    title: `${from} to ${to}`,
    status: 'active',
    publisher: 'OpenSCIP',
    description: `Maps a ${from} to ${to}${direction === 'to-fhir' ? ' (UK Core profiled, with the resources the record needs)' : ''}. Implemented by the OpenSCIP MODS adapter; the element-by-element mapping is documented in docs/mods.md. Invoke with StructureMap/$transform.`,
    group: [
      {
        name,
        typeMode: 'none',
        input: [
          { name: 'source', type: from, mode: 'source' },
          { name: 'target', type: to, mode: 'target' },
        ],
        rule: [{ name: 'adapter', source: [{ context: 'source' }], documentation: 'The OpenSCIP MODS adapter performs this map in code.' }],
      },
    ],
  } as Resource;
}

export function catalogue(): Resource[] {
  return [
    ...MODS_CLASSES.flatMap((cls) => [structureMap(cls, 'to-fhir'), structureMap(cls, 'to-mods')]),
    aboutMeQuestionnaire(),
    ...terminologyResources(),
  ];
}

/** Installs (or brings up to date) the catalogue in each tenant's store; unchanged resources are left alone. */
export async function installCatalogue(repo: Repository, tenants: readonly string[]): Promise<void> {
  const resources = catalogue();
  for (const tenant of tenants) {
    for (const resource of resources) {
      const current = await repo.read(tenant, resource.resourceType, resource.id as string);
      if (current && !current.deleted) {
        const { meta: _meta, ...stored } = JSON.parse(current.content) as Resource;
        if (isDeepStrictEqual(stored, resource)) continue;
      }
      await repo.update(tenant, resource, resource.id as string);
    }
  }
}
