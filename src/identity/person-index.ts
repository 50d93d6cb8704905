// The person index: one platform person (a golden Patient in the central store) per real individual,
// linked to each tenant's Patient for them. Registering a record files it in the match index, matches
// it against everyone it could be, and links it to the person it certainly is, or founds a new person;
// doubtful candidates become review tasks. Every link records how it was made, by whom and when.
import type { Patient } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM } from '../fhir/profiles/nhs-number.js';
import type { IndexEntry, PersonLink, RecordKey, Repository } from '../store/index.js';
import { recordKey } from '../store/index.js';
import { blockingKeys } from './blocking.js';
import { featuresOf } from './features.js';
import type { MatchFeatures } from './features.js';
import { GoldenRecords } from './golden.js';
import { findCandidates, findCandidatesOfMany } from './matcher.js';
import { RULES } from './model.js';
import type { PersonCandidate } from './matcher.js';
import { Merges } from './merge.js';
import { ReviewQueue } from './review.js';
import { sourceUrl } from './settings.js';
import type { IdentitySettings } from './settings.js';

export type Registered =
  | { status: 'registered'; personId: string; method: string; reviews: number }
  | { status: 'failed'; reason: string; diagnostics: string };

/** A record being registered: its place in the request, its features and its blocking keys. */
interface Registering {
  n: number;
  self: RecordKey;
  patient: Patient;
  features: MatchFeatures;
  keys: string[];
}

const indexEntry = ({ self, features, keys }: Registering): IndexEntry => ({
  ...self,
  features: JSON.stringify(features),
  ...(features.given ? { given: features.given } : {}),
  ...(features.family ? { family: features.family } : {}),
  ...(features.nhsVerified && features.nhsNumber ? { verifiedNhs: features.nhsNumber } : {}),
  keys,
});

/** Splits records into rounds in which no two share a blocking key, keeping their order within each. */
function rounds(records: readonly Registering[]): Registering[][] {
  const out: { records: Registering[]; keys: Set<string> }[] = [];
  for (const r of records) {
    // After the last round holding one of its keys, so records sharing keys keep their order.
    let after = -1;
    for (const [i, round] of out.entries()) if (r.keys.some((k) => round.keys.has(k))) after = i;
    const target = out[after + 1] ?? (out[after + 1] = { records: [], keys: new Set() });
    target.records.push(r);
    for (const k of r.keys) target.keys.add(k);
  }
  return out.map((round) => round.records);
}

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
    return (await this.registerMany(repo, [{ tenant, patient }]))[0];
  }

  /**
   * Registers several tenant Patients (each once), in a few statements per round rather than per record.
   * Records that could be candidates of each other (they share a blocking key) go in successive rounds,
   * so the later one meets the earlier one's person, as when they come one at a time.
   */
  async registerMany(repo: Repository, records: readonly { tenant: string; patient: Patient }[]): Promise<Registered[]> {
    const results: Registered[] = [];
    const matchable: Registering[] = [];
    for (const [n, { tenant, patient }] of records.entries()) {
      const self: RecordKey = { tenant, patientId: patient.id as string };
      const stated = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
      const features = featuresOf(patient);
      if (stated && !features.nhsNumber) {
        await this.unregister(repo, tenant, self.patientId);
        results[n] = { status: 'failed', reason: 'invalid-nhs-number', diagnostics: `NHS number ${stated} fails the modulus 11 check` };
      } else matchable.push({ n, self, patient, features, keys: blockingKeys(features) });
    }
    if (!matchable.length) return results;
    // Registrations that could match each other run one after another, so one person is not founded twice.
    await repo.lockAll(matchable.flatMap((r) => r.keys.map((k) => `identity:${k}`)));
    for (const round of rounds(matchable)) {
      for (const [i, registered] of (await this.registerRound(repo, round)).entries()) results[round[i].n] = registered;
    }
    return results;
  }

  /** Registers records none of which is a candidate of another. */
  private async registerRound(repo: Repository, round: readonly Registering[]): Promise<Registered[]> {
    const [links, , candidates] = await Promise.all([
      repo.identity.personLinks(round.map((r) => r.self)),
      repo.identity.index(round.map(indexEntry)),
      findCandidatesOfMany(repo, this.settings.model, round.map((r) => ({ features: r.features, self: r.self }))),
    ]);
    const existing = round.map((r) => links.get(recordKey(r.self)));
    // Which verified NHS numbers re-registered records' persons hold: a record with a different one moves.
    const recheck = round.flatMap((r, i) => (existing[i] && r.features.nhsVerified && r.features.nhsNumber ? [(existing[i] as PersonLink).personId] : []));
    const heldNhs = recheck.length ? await repo.identity.verifiedNhsOfPersons([...new Set(recheck)]) : new Map<string, Set<string>>();
    const sources: { personId: string; url: string; present: boolean }[] = [];
    const founders: { n: number; source: Patient; features: MatchFeatures; sourceLink: string }[] = [];
    const newLinks: (Omit<PersonLink, 'personId'> & { personId?: string; n: number })[] = [];
    const outcomes: { personId?: string; method: string }[] = [];
    for (const [n, r] of round.entries()) {
      const link = existing[n];
      const url = sourceUrl(this.settings, r.self.tenant, r.self.patientId);
      const certain = candidates[n].find((c) => c.outcome.grade === 'certain');
      const next = link ? await this.nextStep(repo, link, r.features, certain, heldNhs) : 'move';
      if (link && next === 'keep') {
        outcomes[n] = { personId: link.personId, method: link.method };
      } else if (certain) {
        const method = certain.outcome.rule === RULES.verifiedNhsEqual ? 'nhs-number-verified' : 'probabilistic';
        if (link && next === 'retire-person') await this.merges.merge(repo, certain.personId, link.personId, 'system', 'its only record now certainly matches another person');
        else {
          if (link) sources.push({ personId: link.personId, url, present: false });
          sources.push({ personId: certain.personId, url, present: true });
        }
        outcomes[n] = { personId: certain.personId, method };
        newLinks.push({ n, ...r.self, personId: certain.personId, assurance: method === 'nhs-number-verified' ? 'level3' : 'level2', method, score: certain.outcome.probability, rule: certain.outcome.rule, actor: 'system' });
      } else {
        // Reaching here with a link means its person now holds a different verified NHS number.
        if (link) sources.push({ personId: link.personId, url, present: false });
        founders.push({ n, source: r.patient, features: r.features, sourceLink: url });
        outcomes[n] = { method: 'new-person' };
        newLinks.push({ n, ...r.self, assurance: 'level4', method: 'new-person', rule: 'no certain match: founds a new person', actor: 'system' });
      }
    }
    const [, founded] = await Promise.all([this.golden.setSources(repo, sources), this.golden.create(repo, founders)]);
    for (const [i, f] of founders.entries()) outcomes[f.n].personId = founded[i];
    await repo.identity.link(newLinks.map(({ n, ...l }) => ({ ...l, personId: outcomes[n].personId as string })));
    const registered: Registered[] = [];
    for (const [n, r] of round.entries()) {
      const personId = outcomes[n].personId as string;
      registered.push({ status: 'registered', personId, method: outcomes[n].method, reviews: await this.proposeReviews(repo, r.self, personId, candidates[n]) });
    }
    return registered;
  }

  /**
   * What happens to a re-registered record's link: it stays when the person is still its certain
   * match, when a person decided the link, or when nothing certain says otherwise — unless the person
   * now holds a different verified NHS number, when the record moves.
   */
  private async nextStep(repo: Repository, existing: PersonLink, features: MatchFeatures, certain: PersonCandidate | undefined, heldNhs: ReadonlyMap<string, Set<string>>): Promise<'keep' | 'move' | 'retire-person'> {
    if (features.nhsVerified && features.nhsNumber) {
      const held = heldNhs.get(existing.personId);
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
    await this.golden.setSources(repo, [{ personId: link.personId, url: sourceUrl(this.settings, tenant, patientId), present: false }]);
    await repo.identity.unlink(self, 'unregistered', 'system');
    return link.personId;
  }

  /** Persons the given demographics could be, best first (`$match`). */
  match(repo: Repository, patient: Patient): Promise<PersonCandidate[]> {
    return findCandidates(repo, this.settings.model, featuresOf(patient));
  }
}
