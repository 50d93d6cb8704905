// Care organisation ⇄ UK Core Organization; its service types become Organization.type (mods.md §4.2).
import type { Organization } from '@medplum/fhirtypes';
import type { CareOrganisation, CareOrganisationInput } from '../model/care-organisation.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  compact, fromAddress, fromConcept, fromTelecom, MODS_IDENTIFIER_SYSTEM, ODS_ORGANISATION_SYSTEM, readIdentity, primaryEntry,
  someOrUndefined, toAddress, toConcept, toTelecom,
} from './shared.js';

/** CQC provider ids look like 1-123456789; ODS organisation codes are 3-6 letters and digits. */
export const CQC_PROVIDER_SYSTEM = 'https://cqc.org.uk/provider-id';
const identifierSystem = (value: string): string =>
  /^1-\d{6,}$/.test(value) ? CQC_PROVIDER_SYSTEM : /^[A-Z0-9]{3,6}$/.test(value) ? ODS_ORGANISATION_SYSTEM : MODS_IDENTIFIER_SYSTEM;
const ORGANISATION_SYSTEMS = [CQC_PROVIDER_SYSTEM, ODS_ORGANISATION_SYSTEM, MODS_IDENTIFIER_SYSTEM];

export function toFhir(o: CareOrganisation, ctx: MappingContext): FhirEntry[] {
  const organization: Organization = {
    resourceType: 'Organization',
    identifier: [{ system: identifierSystem(o.identifier), value: o.identifier }],
    active: true,
    type: o.serviceType?.map((t) => toConcept(t) ?? {}),
    name: o.name,
    telecom: someOrUndefined(toTelecom(o.contactDetails)),
    address: o.address ? [toAddress(o.address)] : undefined,
  };
  return [primaryEntry('care-organisation', o, ctx, organization)];
}

export function fromFhir(org: Organization): Draft<CareOrganisationInput> {
  return compact({
    resourceType: 'MODS-CareOrganisation',
    ...readIdentity(org),
    name: org.name,
    identifier: org.identifier?.find((i) => i.system !== undefined && ORGANISATION_SYSTEMS.includes(i.system))?.value,
    serviceType: someOrUndefined((org.type ?? []).flatMap((t) => fromConcept(t) ?? [])),
    address: org.address?.[0] ? fromAddress(org.address[0]) : undefined,
    contactDetails: fromTelecom(org.telecom),
  });
}
