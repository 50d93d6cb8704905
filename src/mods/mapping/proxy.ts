// Proxy for subject of care ⇄ RelatedPerson; the legal basis (e.g. an LPA) rides in an extension.
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { Proxy, ProxyInput } from '../model/proxy.js';
import { personOfSubject, relatedPersonEntry } from './related-person.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import { codingExt, compact, fromConcept, readCodingExt, someOrUndefined, toConcept } from './shared.js';

export function toFhir(p: Proxy, ctx: MappingContext): FhirEntry[] {
  return [relatedPersonEntry(p, 'proxy', ctx, {
    extension: someOrUndefined(codingExt('legal-basis', p.legalBasis)),
    relationship: p.relationship ? [toConcept(p.relationship) ?? {}] : undefined,
    period: p.startDate || p.endDate ? compact({ start: p.startDate, end: p.endDate }) : undefined,
  })];
}

export function fromFhir(r: RelatedPerson): Draft<ProxyInput> {
  return compact({
    resourceType: 'MODS-ProxyForSubjectOfCare',
    ...personOfSubject(r),
    relationship: fromConcept(r.relationship?.[0]),
    legalBasis: readCodingExt(r, 'legal-basis'),
    startDate: r.period?.start,
    endDate: r.period?.end,
  });
}
