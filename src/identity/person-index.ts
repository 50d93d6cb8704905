// The person index: one platform person (a golden Patient in the central store) per real individual,
// linked to each tenant's Patient for them. Registering a record files it in the match index, matches
// it against everyone it could be, and links it to the person it certainly is, or founds a new person;
// doubtful candidates become review tasks. Every link records how it was made, by whom and when.
import type { Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import type { PersonLink, RecordKey, Repository } from '../store/index.js';
import { blockingKeys } from './blocking.js';
import { featuresOf } from './features.js';
import type { MatchFeatures } from './features.js';
import { GoldenRecords } from './golden.js';
import { findCandidates } from './matcher.js';
import { RULES } from './model.js';
import type { PersonCandidate } from './matcher.js';
import { Merges } from './merge.js';
import { ReviewQueue } from './review.js';
import { sourceUrl } from './settings.js';
import type { IdentitySettings } from './settings.js';

export type Registered =
  | { status: 'registered'; personId: string; method: string; reviews: number }
  | { status: 'failed'; reason: string; diagnostics: string };

/** Links made by a person (a reviewer, an operator's merge); matching keeps them unless NHS numbers conflict. */
const DELIBERATE = new Set(['review', 'merge', 'unmerge']);

export class PersonIndex {
  readonly golden: GoldenRecords;
  readonly reviews: ReviewQueue;
  readonly merges: Merges;

  constructor(private readonly settings: IdentitySettings) {
    this.golden = new GoldenRecords(settings);
    this.merges = new Merges(settings, this.golden);
    this.reviews = new ReviewQueue(settings, this.merges);
  }

  /** Links a tenant's Patient (just written) to its platform person, founding the person when new. */
  async register(repo: Repository, tenant: string, patient: Patient): Promise<Registered> {
    const self: RecordKey = { tenant, patientId: patient.id as string };
    const stated = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
    const features = featuresOf(patient);
    if (stated && !features.nhsNumber) {
      await this.unregister(repo, tenant, self.patientId);
      return { status: 'failed', reason: 'invalid-nhs-number', diagnostics: `NHS number ${stated} fails the modulus 11 check` };
    }
    const keys = blockingKeys(features);
    // Registrations that could match each other run one after another, so one person is not founded twice.
    await repo.lockAll(keys.map((k) => `identity:${k}`));
    const [existing] = await Promise.all([
      repo.identity.personLink(self),
      repo.identity.index({
        ...self,
        features: JSON.stringify(features),
        ...(features.given ? { given: features.given } : {}),
        ...(features.family ? { family: features.family } : {}),
        ...(features.nhsVerified && features.nhsNumber ? { verifiedNhs: features.nhsNumber } : {}),
        keys,
      }),
    ]);
    const candidates = await findCandidates(repo, this.settings.model, features, self);
    const url = sourceUrl(this.settings, tenant, self.patientId);
    const certain = candidates.find((c) => c.outcome.grade === 'certain');
    const next = existing ? await this.nextStep(repo, existing, features, certain) : 'move';
    let personId: string;
    let method: string;
    if (existing && next === 'keep') {
      personId = existing.personId;
      method = existing.method;
    } else if (certain) {
      personId = certain.personId;
      method = certain.outcome.rule === RULES.verifiedNhsEqual ? 'nhs-number-verified' : 'probabilistic';
      if (existing && next === 'retire-person') await this.merges.merge(repo, personId, existing.personId, 'system', 'its only record now certainly matches another person');
      else {
        if (existing) await this.golden.removeSource(repo, existing.personId, url);
        await this.golden.addSource(repo, personId, url);
      }
      await repo.identity.link({ ...self, personId, assurance: method === 'nhs-number-verified' ? 'level3' : 'level2', method, score: certain.outcome.probability, rule: certain.outcome.rule, actor: 'system' });
    } else {
      // Reaching here with a link means its person now holds a different verified NHS number.
      if (existing) await this.golden.removeSource(repo, existing.personId, url);
      personId = await this.golden.create(repo, patient, features, url);
      method = 'new-person';
      await repo.identity.link({ ...self, personId, assurance: 'level4', method, rule: 'no certain match: founds a new person', actor: 'system' });
    }
    const reviews = await this.proposeReviews(repo, self, personId, candidates);
    return { status: 'registered', personId, method, reviews };
  }

  /**
   * What happens to a re-registered record's link: it stays when the person is still its certain
   * match, when a person decided the link, or when nothing certain says otherwise — unless the person
   * now holds a different verified NHS number, when the record moves.
   */
  private async nextStep(repo: Repository, existing: PersonLink, features: MatchFeatures, certain: PersonCandidate | undefined): Promise<'keep' | 'move' | 'retire-person'> {
    if (features.nhsVerified && features.nhsNumber) {
      const held = (await repo.identity.verifiedNhsOfPersons([existing.personId])).get(existing.personId);
      if (held && [...held].some((n) => n !== features.nhsNumber)) return 'move';
    }
    if (!certain || certain.personId === existing.personId || DELIBERATE.has(existing.method)) return 'keep';
    // A person founded by this record alone is merged into the certain match; a shared person keeps it.
    const links = await repo.identity.linksOfPerson(existing.personId);
    return links.length > 1 ? 'keep' : 'retire-person';
  }

  /** Review tasks for the doubtful candidates (not the person just linked, not pairs already raised). */
  private async proposeReviews(repo: Repository, self: RecordKey, personId: string, candidates: PersonCandidate[]): Promise<number> {
    let raised = 0;
    for (const c of candidates) {
      if (c.personId === personId || c.outcome.grade === 'certain') continue;
      if (await this.reviews.raise(repo, self, personId, c)) raised++;
    }
    return raised;
  }

  /** Removes a tenant Patient from the index (deleted, or no longer identifiable). */
  async unregister(repo: Repository, tenant: string, patientId: string): Promise<string | undefined> {
    const self = { tenant, patientId };
    const [link] = await Promise.all([repo.identity.personLink(self), repo.identity.removeFromIndex(self)]);
    if (!link) return undefined;
    await this.golden.removeSource(repo, link.personId, sourceUrl(this.settings, tenant, patientId));
    await repo.identity.unlink(self, 'unregistered', 'system');
    return link.personId;
  }

  /** Persons the given demographics could be, best first (`$match`). */
  match(repo: Repository, patient: Patient): Promise<PersonCandidate[]> {
    return findCandidates(repo, this.settings.model, featuresOf(patient));
  }
}
