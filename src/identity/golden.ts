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

  /** New platform persons, each founded on one source record (one statement); their ids, in order. */
  async create(repo: Repository, founders: readonly { source: Patient; features: MatchFeatures; sourceLink: string }[]): Promise<string[]> {
    const persons = founders.map(({ source, features, sourceLink }): Patient => ({
      resourceType: 'Patient',
      meta: { tag: [{ system: PLATFORM_RECORD_SYSTEM, code: 'person', display: 'Platform person (golden record)' }] },
      ...(features.nhsNumber ? { identifier: [{ system: NHS_NUMBER_SYSTEM, value: features.nhsNumber }] } : {}),
      active: true,
      ...(source.name ? { name: source.name } : {}),
      ...(source.gender ? { gender: source.gender } : {}),
      ...(source.birthDate ? { birthDate: source.birthDate } : {}),
      link: [{ other: { reference: sourceLink }, type: 'seealso' }],
    }));
    const created = await repo.createMany(this.settings.centralTenant, persons.map((resource) => ({ resource })));
    return created.map((c) => c.resource.id as string);
  }

  async read(repo: Repository, personId: string): Promise<Patient | undefined> {
    const stored = await repo.read(this.settings.centralTenant, 'Patient', personId);
    return stored && !stored.deleted ? (JSON.parse(stored.content) as Patient) : undefined;
  }

  /** Adds (`present`) or removes source records from persons' links, every person in one rewrite. */
  async setSources(repo: Repository, changes: readonly { personId: string; url: string; present: boolean }[]): Promise<void> {
    const byPerson = new Map<string, { url: string; present: boolean }[]>();
    for (const { personId, ...change } of changes) byPerson.set(personId, [...(byPerson.get(personId) ?? []), change]);
    await this.editMany(
      repo,
      new Map(
        [...byPerson].map(([personId, sourceChanges]) => [
          personId,
          (p: Patient): Patient | undefined => {
            const before = p.link ?? [];
            let links = before;
            for (const { url, present } of sourceChanges) {
              const has = links.some((l) => l.other.reference === url);
              if (present && !has) links = [...links, { other: { reference: url }, type: 'seealso' }];
              if (!present && has) links = links.filter((l) => l.other.reference !== url);
            }
            return links === before ? undefined : withLinks(p, links);
          },
        ]),
      ),
    );
  }

  /** Rewrites a person; `change` returns undefined when nothing changes. */
  async edit(repo: Repository, personId: string, change: (p: Patient) => Patient | undefined): Promise<Patient | undefined> {
    return (await this.editMany(repo, new Map([[personId, change]]))).get(personId);
  }

  /** Rewrites persons (read under row locks, written together); each `change` returns undefined when nothing changes. */
  async editMany(repo: Repository, changes: ReadonlyMap<string, (p: Patient) => Patient | undefined>): Promise<Map<string, Patient>> {
    const stored = await repo.readMany(this.settings.centralTenant, 'Patient', [...changes.keys()], true);
    const after = new Map<string, Patient>();
    const rewritten: Patient[] = [];
    for (const [personId, change] of changes) {
      const version = stored.get(personId);
      if (!version || version.deleted) continue;
      const person = JSON.parse(version.content) as Patient;
      const changed = change(person);
      after.set(personId, changed ?? person);
      if (!changed) continue;
      const { meta, ...rest } = changed;
      // The store sets versionId and lastUpdated; the tags are the person's own.
      rewritten.push({ ...rest, id: personId, ...(meta?.tag ? { meta: { tag: meta.tag } } : {}) });
    }
    await repo.updateMany(this.settings.centralTenant, 'Patient', rewritten, stored);
    return after;
  }
}

/** A Patient with `links` in place of its links (no `link` element when empty). */
export function withLinks(p: Patient, links: PatientLink[]): Patient {
  const { link: _old, ...rest } = p;
  return links.length ? { ...rest, link: links } : rest;
}
