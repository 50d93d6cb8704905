// Location ⇄ UK Core Location; the ODS site code is identifier:odsSiteCode (mods.md §4.1).
import type { Location as FhirLocation } from '@medplum/fhirtypes';
import type { Location, LocationInput } from '../model/location.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import { compact, fromConcept, ODS_SITE_SYSTEM, readIdentity, primaryEntry, toConcept } from './shared.js';

export function toFhir(l: Location, ctx: MappingContext): FhirEntry[] {
  const location: FhirLocation = {
    resourceType: 'Location',
    identifier: l.organisationSiteIdentifier ? [{ system: ODS_SITE_SYSTEM, value: l.organisationSiteIdentifier }] : undefined,
    status: 'active',
    name: l.locationName,
    type: l.locationType ? [toConcept(l.locationType) ?? {}] : undefined,
    address: l.address ? { text: l.address } : undefined,
  };
  return [primaryEntry('location', l, ctx, location)];
}

export function fromFhir(l: FhirLocation): Draft<LocationInput> {
  return compact({
    resourceType: 'MODS-Location',
    ...readIdentity(l),
    address: l.address?.text ?? l.address?.line?.join(', '),
    locationType: fromConcept(l.type?.[0]),
    locationName: l.name,
    organisationSiteIdentifier: l.identifier?.find((i) => i.system === ODS_SITE_SYSTEM)?.value,
  });
}
