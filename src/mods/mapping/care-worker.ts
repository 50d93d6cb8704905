// Care worker ⇄ UK Core Practitioner, with a PractitionerRole for role, specialty and employer, and one
// CareTeam per person the worker provides care for (mods.md §4.2).
import type { CareTeam, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { CareWorker, CareWorkerInput } from '../model/care-worker.js';
import type { Draft, FhirEntry, MappingContext, PartLookup } from './shared.js';
import {
  booleanExt, compact, entryUrl, fromConcept, fromNames, fromReference, fromSubjectReference, fromTelecom, partExtensions, readBoolean, readIdentity,
  readParts, primaryEntry, someOrUndefined, toConcept, toNames, toReference, toSubjectReference, toTelecom, withId,
} from './shared.js';

export function toFhir(w: CareWorker, ctx: MappingContext): FhirEntry[] {
  const url = entryUrl('Practitioner', w.recordUid, undefined, ctx);
  const parts: FhirEntry[] = [];
  if (w.role || w.specialty || w.organisation) {
    const role: PractitionerRole = compact({
      resourceType: 'PractitionerRole' as const,
      meta: { profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-PractitionerRole'] },
      practitioner: { reference: url },
      organization: w.organisation ? toReference(w.organisation, 'Organization') : undefined,
      code: w.role ? [toConcept(w.role)] : undefined,
      specialty: w.specialty ? [toConcept(w.specialty)] : undefined,
    }) as PractitionerRole;
    parts.push(withId(entryUrl('PractitionerRole', w.recordUid, 'role', ctx), role));
  }
  (w.providesCareFor ?? []).forEach((p, i) => {
    const team: CareTeam = compact({
      resourceType: 'CareTeam' as const,
      extension: someOrUndefined(booleanExt('key-worker', p.keyWorker)),
      status: 'active' as const,
      name: p.careTeam,
      subject: toSubjectReference(p.subjectOfCare, ctx),
      participant: [compact({ member: { reference: url }, role: p.role ? [toConcept(p.role)] : undefined })],
    }) as CareTeam;
    parts.push(withId(entryUrl('CareTeam', w.recordUid, `ct-${i + 1}`, ctx), team));
  });
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    extension: someOrUndefined(partExtensions(parts)),
    name: toNames(w.name),
    telecom: someOrUndefined(toTelecom(w.contactDetails)),
  };
  return [primaryEntry('care-worker', w, ctx, practitioner, url), ...parts];
}

export function fromFhir(practitioner: Practitioner, lookup: PartLookup): Draft<CareWorkerInput> {
  const parts = readParts(practitioner, lookup);
  const role = parts.find((p): p is PractitionerRole => p.resourceType === 'PractitionerRole');
  const teams = parts.filter((p): p is CareTeam => p.resourceType === 'CareTeam');
  return compact({
    resourceType: 'MODS-CareWorker',
    ...readIdentity(practitioner),
    name: fromNames(practitioner.name),
    contactDetails: fromTelecom(practitioner.telecom),
    role: fromConcept(role?.code?.[0]),
    specialty: fromConcept(role?.specialty?.[0]),
    organisation: role?.organization ? fromReference(role.organization) : undefined,
    providesCareFor: someOrUndefined(
      teams.map((t) =>
        compact({
          subjectOfCare: fromSubjectReference(t.subject ?? {}),
          role: fromConcept(t.participant?.[0]?.role?.[0]),
          keyWorker: readBoolean(t, 'key-worker'),
          careTeam: t.name,
        }),
      ),
    ),
  });
}
