// A person's dissent to sharing, recorded as FHIR R4 Consent (scope patient-privacy): every `deny`
// provision in force (status active, within its period) withholds records from the shared view —
// from the organisations it names as actors (by ODS code), or from everyone when it names none; only
// the types (`class`) and sensitivity labels (`securityLabel`) it names, or everything when it names
// neither. It never hides a tenant's own records from that tenant.
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import type { Resource } from '../fhir/types.js';
import { isLabel, SENSITIVITY_SYSTEM } from './policy/labels.js';
import type { Label } from './policy/labels.js';

export const ODS_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';

export interface Dissent {
  /** Organisations (ODS codes) it withholds from; everyone when empty. */
  organisations: string[];
  /** Resource types it withholds; every type when both lists are empty. */
  types: string[];
  labels: Label[];
}

const within = (period: { start?: string; end?: string } | undefined, now: string): boolean =>
  (!period?.start || period.start <= now) && (!period?.end || period.end >= now);

function denyProvisions(p: ConsentProvision | undefined, now: string, found: ConsentProvision[] = []): ConsentProvision[] {
  if (!p || !within(p.period, now)) return found;
  if (p.type === 'deny') found.push(p);
  for (const nested of p.provision ?? []) denyProvisions(nested, now, found);
  return found;
}

/** The dissents in force among a person's Consent resources. */
export function dissents(resources: readonly Resource[], now: string): Dissent[] {
  return resources
    .filter((r): r is Consent => r.resourceType === 'Consent')
    .filter((c) => c.status === 'active')
    .flatMap((c) => denyProvisions(c.provision, now))
    // Actors named other than by ODS code cannot be matched to a caller: such a provision applies to
    // everyone rather than to no one.
    .map((p) => ({
      organisations: (p.actor ?? []).flatMap((a) => (a.reference.identifier?.system === ODS_SYSTEM && a.reference.identifier.value ? [a.reference.identifier.value] : [])),
      types: (p.class ?? []).flatMap((c) => (c.code ? [c.code] : [])),
      labels: (p.securityLabel ?? []).flatMap((c) => (c.system === SENSITIVITY_SYSTEM && isLabel(c.code) ? [c.code] : [])),
    }));
}

/** Whether a dissent is about sharing with an organisation (every dissent naming no one is). */
export const appliesTo = (d: Dissent, organisation: string | undefined): boolean =>
  !d.organisations.length || (organisation !== undefined && d.organisations.includes(organisation));

/** Whether a dissent withholds a resource (of the given effective labels) from an organisation. */
export function withholds(d: Dissent, organisation: string | undefined, resource: Resource, labels: readonly Label[]): boolean {
  if (!appliesTo(d, organisation)) return false;
  if (!d.types.length && !d.labels.length) return true;
  return d.types.includes(resource.resourceType) || labels.some((l) => d.labels.includes(l));
}
