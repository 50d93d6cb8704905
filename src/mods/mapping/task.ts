// Task ⇄ UK Core Task: MODS status, priority and intent use FHIR's own codes (mods.md §4.2); the
// requested period is Task.restriction.period, the instruction Task.basedOn.
import type { Task as FhirTask } from '@medplum/fhirtypes';
import type { Task, TaskInput } from '../model/task.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  compact, fromReference, fromSubjectReference, readIdentity, primaryEntry, someOrUndefined, toReference,
  toSubjectReference,
} from './shared.js';

export function toFhir(t: Task, ctx: MappingContext): FhirEntry[] {
  const task: FhirTask = {
    resourceType: 'Task',
    basedOn: t.instruction ? [toReference(t.instruction)] : undefined,
    partOf: t.relatedActivities?.map((r) => toReference<FhirTask>(r, 'Task')),
    status: t.status.code as FhirTask['status'],
    intent: t.intent.code as FhirTask['intent'],
    priority: t.priority?.code as FhirTask['priority'],
    description: t.description,
    for: t.subjectOfCare ? toSubjectReference(t.subjectOfCare, ctx) : undefined,
    authoredOn: t.authoredOn,
    owner: t.responsibleParty ? toReference(t.responsibleParty) : undefined,
    location: t.location ? toReference(t.location, 'Location') : undefined,
    note: t.comments ? [{ text: t.comments }] : undefined,
    restriction: t.requestedPeriod ? { period: t.requestedPeriod } : undefined,
  };
  return [primaryEntry('task', t, ctx, task)];
}

export function fromFhir(t: FhirTask): Draft<TaskInput> {
  return compact({
    resourceType: 'MODS-Task',
    ...readIdentity(t),
    status: { code: t.status },
    priority: t.priority ? { code: t.priority } : undefined,
    intent: { code: t.intent },
    description: t.description,
    comments: t.note?.[0]?.text,
    subjectOfCare: t.for ? fromSubjectReference(t.for) : undefined,
    instruction: t.basedOn?.[0] ? fromReference(t.basedOn[0]) : undefined,
    location: t.location ? fromReference(t.location) : undefined,
    responsibleParty: t.owner ? fromReference(t.owner) : undefined,
    requestedPeriod: t.restriction?.period,
    relatedActivities: someOrUndefined((t.partOf ?? []).map(fromReference)),
    authoredOn: t.authoredOn,
  });
}
