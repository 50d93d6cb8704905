// The review queue: a pair of records the matcher could not decide becomes a FHIR Task on the central
// base, naming both persons, both records, the score and its explanation. An operator answers it with
// `Task/{id}/$review`: "same person" merges the two persons; "different people" is remembered, and the
// pair is never proposed again.
import type { Task } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import type { RecordKey, Repository } from '../store/index.js';
import { parseRecordKey, recordKey } from '../store/index.js';
import type { PersonCandidate } from './matcher.js';
import type { Merges } from './merge.js';
import { explain } from './model.js';
import { sourceUrl } from './settings.js';
import type { IdentitySettings } from './settings.js';

export const IDENTITY_REVIEW_SYSTEM = 'https://openscip.org/fhir/CodeSystem/identity-review';

export type ReviewDecision = 'same-person' | 'different-people';

const inputType = (code: string, display: string) => ({ coding: [{ system: IDENTITY_REVIEW_SYSTEM, code, display }] });

export class ReviewQueue {
  constructor(
    private readonly settings: IdentitySettings,
    private readonly merges: Merges,
  ) {}

  /** Raises a review of `self` (linked to `personId`) against a doubtful candidate; false when the pair was raised before. */
  async raise(repo: Repository, self: RecordKey, personId: string, candidate: PersonCandidate): Promise<boolean> {
    if (await repo.identity.reviewPair(self, candidate.record)) return false;
    const o = candidate.outcome;
    const task: Task = {
      resourceType: 'Task',
      status: 'requested',
      intent: 'proposal',
      code: { coding: [{ system: IDENTITY_REVIEW_SYSTEM, code: 'possible-duplicate', display: 'Possible duplicate person' }] },
      description: `Are ${recordKey(self)} and ${recordKey(candidate.record)} the same person? Match probability ${o.probability.toFixed(4)} (${o.grade}): ${o.rule}.`,
      focus: { reference: `Patient/${personId}` },
      authoredOn: new Date().toISOString(),
      input: [
        { type: inputType('candidate-person', 'The person the record may also be'), valueReference: { reference: `Patient/${candidate.personId}` } },
        { type: inputType('record', 'The record under review'), valueReference: { reference: sourceUrl(this.settings, self.tenant, self.patientId) } },
        { type: inputType('candidate-record', "The candidate person's best-matching record"), valueReference: { reference: sourceUrl(this.settings, candidate.record.tenant, candidate.record.patientId) } },
        { type: inputType('score', 'Match probability'), valueDecimal: Number(o.probability.toFixed(6)) },
        { type: inputType('match-grade', 'Match grade'), valueCode: o.grade },
        { type: inputType('explanation', 'Per-comparison weights (log2 m/u)'), valueString: explain(o.comparisons) },
      ],
    };
    const created = await repo.create(this.settings.centralTenant, task);
    await repo.identity.openReview(self, candidate.record, created.resource.id as string);
    return true;
  }

  /** Applies a reviewer's decision to an open review task; returns the completed Task. */
  async decide(repo: Repository, taskId: string, decision: ReviewDecision, actor: string, note?: string): Promise<Task> {
    const pair = await repo.identity.reviewByTask(taskId);
    if (!pair) throw new FhirError('not-found', { diagnostics: `Task/${taskId} is not an identity review` });
    if (pair.status !== 'open') throw new FhirError('conflict', { diagnostics: `Task/${taskId} was already decided (${pair.status})` });
    const stored = await repo.read(this.settings.centralTenant, 'Task', taskId);
    const task = JSON.parse(stored?.content ?? '{}') as Task;
    if (decision === 'same-person') {
      const candidateUrl = task.input?.find((i) => i.type.coding?.[0]?.code === 'candidate-record')?.valueReference?.reference;
      const [a, b] = [parseRecordKey(pair.recordA), parseRecordKey(pair.recordB)];
      const [la, lb] = await Promise.all([repo.identity.personLink(a), repo.identity.personLink(b)]);
      if (!la || !lb) throw new FhirError('conflict', { diagnostics: 'One of the records is no longer registered; the review cannot be applied', expression: ['Parameters.parameter'] });
      if (la.personId !== lb.personId) {
        // The candidate's person (there before the record under review) survives.
        const bIsCandidate = candidateUrl === sourceUrl(this.settings, b.tenant, b.patientId);
        const [survivor, merged] = bIsCandidate ? [lb.personId, la.personId] : [la.personId, lb.personId];
        await this.merges.merge(repo, survivor, merged, actor, `review Task/${taskId}: same person`);
      }
    }
    await repo.identity.decideReview(taskId, decision);
    const { meta: _meta, ...rest } = task;
    const completed: Task = {
      ...rest,
      status: 'completed',
      businessStatus: { coding: [{ system: IDENTITY_REVIEW_SYSTEM, code: decision, display: decision === 'same-person' ? 'Same person' : 'Different people' }] },
      lastModified: new Date().toISOString(),
      note: [...(task.note ?? []), { authorString: actor, time: new Date().toISOString(), text: note ?? `Decided: ${decision}` }],
      output: [{ type: inputType('decision', 'Review decision'), valueCode: decision }],
    };
    return (await repo.update(this.settings.centralTenant, completed, taskId)).resource as Task;
  }
}
