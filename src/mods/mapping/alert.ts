// Alert ⇄ UK Core Flag (SCIP MODS-Flag): status mapped explicitly, informed/involved care actors in
// SCIP's participant extension, the alert text in ours (Flag has no free-text element).
import type { Flag } from '@medplum/fhirtypes';
import type { Alert, AlertInput } from '../model/alert.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  compact, fromCoding, fromSubjectReference, fromTextConcept, participantExts, readIdentity, readParticipants, readString, primaryEntry,
  someOrUndefined, stringExt, toConcept, toSubjectReference, toTextConcept,
} from './shared.js';

const FLAG_STATUS: Record<string, Flag['status']> = { active: 'active', 'no-longer-needed': 'inactive', 'entered-in-error': 'entered-in-error' };
const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

export function toFhir(a: Alert, ctx: MappingContext): FhirEntry[] {
  const flag: Flag = {
    resourceType: 'Flag',
    extension: someOrUndefined([...participantExts(a.informed, a.involved), ...stringExt('free-text', a.text)]),
    status: FLAG_STATUS[a.status.code],
    category: a.category?.map((c) => toConcept(c) ?? {}),
    // FHIR requires Flag.code; an alert without one says so, showing its text to FHIR readers.
    code: a.code ? toTextConcept(a.code) : compact({ extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }], text: a.text }),
    subject: toSubjectReference(a.subjectOfCare, ctx),
    period: a.startDate || a.endDate ? compact({ start: a.startDate, end: a.endDate }) : undefined,
  };
  return [primaryEntry('alert', a, ctx, flag)];
}

export function fromFhir(flag: Flag): Draft<AlertInput> {
  const status = Object.entries(FLAG_STATUS).find(([, s]) => s === flag.status)?.[0];
  const codeAbsent = flag.code?.extension?.some((e) => e.url === DATA_ABSENT) ?? false;
  return compact({
    resourceType: 'MODS-Alert',
    ...readIdentity(flag),
    subjectOfCare: fromSubjectReference(flag.subject),
    status: status ? { code: status } : undefined,
    code: flag.code && !codeAbsent ? fromTextConcept(flag.code) : undefined,
    category: someOrUndefined((flag.category ?? []).flatMap((c) => (c.coding?.[0] ? [fromCoding(c.coding[0])] : []))),
    startDate: flag.period?.start,
    endDate: flag.period?.end,
    ...readParticipants(flag),
    text: readString(flag, 'free-text'),
  });
}
