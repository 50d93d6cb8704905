// Golden records: the central store's Patient for each platform person. It carries the founding
// record's demographics and, in `link`, every source record (`seealso`, absolute URL) and the persons
// merged into it (`replaces`) or that it was merged into (`replaced-by`). Only links change here; the
// history of every golden Patient is kept by the store like any resource's.
import type { Patient, PatientLink } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import type { Repository } from '../store/index.js';
import type { MatchFeatures } from './features.js';
import type { IdentitySettings } from './settings.js';

export const PLATFORM_RECORD_SYSTEM = 'https://openscip.org/fhir/CodeSystem/platform-record';

export class GoldenRecords {
  constructor(private readonly settings: IdentitySettings) {}

  /** A new platform person founded on one source record. */
  async create(repo: Repository, source: Patient, features: MatchFeatures, sourceLink: string): Promise<string> {
    const person: Patient = {
      resourceType: 'Patient',
      meta: { tag: [{ system: PLATFORM_RECORD_SYSTEM, code: 'person', display: 'Platform person (golden record)' }] },
      ...(features.nhsNumber ? { identifier: [{ system: NHS_NUMBER_SYSTEM, value: features.nhsNumber }] } : {}),
      active: true,
      ...(source.name ? { name: source.name } : {}),
      ...(source.gender ? { gender: source.gender } : {}),
      ...(source.birthDate ? { birthDate: source.birthDate } : {}),
      link: [{ other: { reference: sourceLink }, type: 'seealso' }],
    };
    return (await repo.create(this.settings.centralTenant, person)).resource.id as string;
  }

  async read(repo: Repository, personId: string): Promise<Patient | undefined> {
    const stored = await repo.read(this.settings.centralTenant, 'Patient', personId);
    return stored && !stored.deleted ? (JSON.parse(stored.content) as Patient) : undefined;
  }

  async addSource(repo: Repository, personId: string, url: string): Promise<void> {
    await this.edit(repo, personId, (p) => (p.link?.some((l) => l.other.reference === url) ? undefined : { ...p, link: [...(p.link ?? []), { other: { reference: url }, type: 'seealso' }] }));
  }

  async removeSource(repo: Repository, personId: string, url: string): Promise<void> {
    await this.edit(repo, personId, (p) => (p.link?.some((l) => l.other.reference === url) ? withLinks(p, (p.link ?? []).filter((l) => l.other.reference !== url)) : undefined));
  }

  /** Rewrites a person; `change` returns undefined when nothing changes. */
  async edit(repo: Repository, personId: string, change: (p: Patient) => Patient | undefined): Promise<Patient | undefined> {
    const person = await this.read(repo, personId);
    if (!person) return undefined;
    const changed = change(person);
    if (!changed) return person;
    const { meta, ...rest } = changed;
    // The store sets versionId and lastUpdated; the tags are the person's own.
    const tags = meta?.tag ? { meta: { tag: meta.tag } } : {};
    await repo.update(this.settings.centralTenant, { ...rest, ...tags }, personId);
    return changed;
  }
}

/** A Patient with `links` in place of its links (no `link` element when empty). */
export function withLinks(p: Patient, links: PatientLink[]): Patient {
  const { link: _old, ...rest } = p;
  return links.length ? { ...rest, link: links } : rest;
}
