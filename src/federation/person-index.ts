// The person index: one platform person (a golden Patient in the central store) per real individual,
// linked to each tenant's Patient for them. Until identity matching (issue #5) replaces it, a tenant
// Patient is linked by an exact match on a valid NHS number, and never without one.
import type { Patient } from '@medplum/fhirtypes';
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import { parseSearch } from '../fhir/search/parse.js';
import type { Definitions } from '../fhir/definitions.js';
import type { Repository } from '../store/index.js';
import type { FederationSettings } from './settings.js';

export type Registered = { status: 'registered'; personId: string } | { status: 'failed'; reason: string; diagnostics: string };

/** Absolute URL of a tenant's Patient: what golden records link to and locator pointers point at. */
export const sourceUrl = (settings: FederationSettings, tenant: string, patientId: string): string => `${settings.tenantBase(tenant)}/Patient/${patientId}`;

export class PersonIndex {
  constructor(
    private readonly defs: Definitions,
    private readonly settings: FederationSettings,
  ) {}

  /** Links a tenant's Patient (just written) to its platform person, creating the person when new. */
  async register(repo: Repository, tenant: string, patient: Patient): Promise<Registered> {
    const id = patient.id as string;
    const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
    if (!nhsNumber || !isValidNhsNumber(nhsNumber)) {
      await this.unregister(repo, tenant, id);
      return nhsNumber
        ? { status: 'failed', reason: 'invalid-nhs-number', diagnostics: `NHS number ${nhsNumber} fails the modulus 11 check` }
        : { status: 'failed', reason: 'no-nhs-number', diagnostics: 'The subject of care has no NHS number; linking without one needs identity matching' };
    }
    // One person per NHS number even when two tenants register them at the same moment.
    await repo.lock(`person:nhs:${nhsNumber}`);
    const url = sourceUrl(this.settings, tenant, id);
    // Independent reads go out together (pipelined on the transaction's connection).
    const [existing, found] = await Promise.all([repo.federation.personLink(tenant, id), this.personByNhsNumber(repo, nhsNumber)]);
    const personId = found ?? (await this.createPerson(repo, patient, nhsNumber, url));
    if (existing && existing.personId !== personId) await this.removeSource(repo, existing.personId, url);
    if (found) await this.addSource(repo, personId, url);
    await repo.federation.link({ tenant, patientId: id, personId, assurance: 'level3', method: 'nhs-number-exact' });
    return { status: 'registered', personId };
  }

  /** Removes a tenant Patient from the index (deleted, or no longer identifiable). */
  async unregister(repo: Repository, tenant: string, patientId: string): Promise<string | undefined> {
    const link = await repo.federation.personLink(tenant, patientId);
    if (!link) return undefined;
    await this.removeSource(repo, link.personId, sourceUrl(this.settings, tenant, patientId));
    await repo.federation.unlink(tenant, patientId);
    return link.personId;
  }

  async personByNhsNumber(repo: Repository, nhsNumber: string): Promise<string | undefined> {
    const found = await repo.search(this.settings.centralTenant, parseSearch(this.defs, 'Patient', [['identifier', `${NHS_NUMBER_SYSTEM}|${nhsNumber}`], ['_count', '1']]));
    return found.matches[0]?.id;
  }

  /** A new platform person from its first source, linked to it. */
  private async createPerson(repo: Repository, source: Patient, nhsNumber: string, sourceLink: string): Promise<string> {
    const person: Patient = {
      resourceType: 'Patient',
      meta: { tag: [{ system: 'https://openscip.org/fhir/CodeSystem/platform-record', code: 'person', display: 'Platform person (golden record)' }] },
      identifier: [{ system: NHS_NUMBER_SYSTEM, value: nhsNumber }],
      active: true,
      name: source.name,
      gender: source.gender,
      birthDate: source.birthDate,
      link: [{ other: { reference: sourceLink }, type: 'seealso' }],
    };
    return (await repo.create(this.settings.centralTenant, person)).resource.id as string;
  }

  private async addSource(repo: Repository, personId: string, url: string): Promise<void> {
    await this.editPerson(repo, personId, (links) => (links.some((l) => l.other.reference === url) ? undefined : [...links, { other: { reference: url }, type: 'seealso' as const }]));
  }

  private async removeSource(repo: Repository, personId: string, url: string): Promise<void> {
    await this.editPerson(repo, personId, (links) => (links.some((l) => l.other.reference === url) ? links.filter((l) => l.other.reference !== url) : undefined));
  }

  /** Rewrites a person's links; `edit` returns undefined when nothing changes. */
  private async editPerson(repo: Repository, personId: string, edit: (links: NonNullable<Patient['link']>) => Patient['link'] | undefined): Promise<void> {
    const stored = await repo.read(this.settings.centralTenant, 'Patient', personId);
    if (!stored || stored.deleted) return;
    const person = JSON.parse(stored.content) as Patient;
    const links = edit(person.link ?? []);
    if (!links) return;
    const { link: _old, ...rest } = person;
    await repo.update(this.settings.centralTenant, links.length ? { ...rest, link: links } : rest, personId);
  }
}
