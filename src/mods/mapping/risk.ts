// Risk ⇄ UK Core Observation with components, as SCIP's MODS-RiskComponentCode implies: the risk
// category is the code, triggers / relapse indicators / comment are components.
import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import type { Risk, RiskInput } from '../model/risk.js';
import { VALUE_SETS } from '../terminology.js';
import type { Draft, FhirEntry, MappingContext } from './shared.js';
import {
  classCategory, compact, fromConcept, fromReference, fromSubjectReference, participantExts, readIdentity, readParticipants, readReferenceExts,
  primaryEntry, referenceExts, SOCIAL_HISTORY, someOrUndefined, toConcept, toReference, toSubjectReference,
} from './shared.js';

const COMPONENTS = [
  ['trigger', 'triggers'],
  ['relapseIndicators', 'relapse-indicators'],
  ['comment', 'comment'],
] as const;

export function toFhir(r: Risk, ctx: MappingContext): FhirEntry[] {
  const component: ObservationComponent[] = COMPONENTS.flatMap(([key, code]) =>
    r[key] === undefined ? [] : [{ code: { coding: [{ system: VALUE_SETS.riskComponent.system, code }] }, valueString: r[key] }],
  );
  const observation: Observation = {
    resourceType: 'Observation',
    extension: someOrUndefined([...participantExts(r.informed, r.involved), ...referenceExts('risk-location', r.riskLocation, 'Location')]),
    status: 'final',
    category: [SOCIAL_HISTORY, classCategory('risk')],
    code: toConcept(r.category) ?? {},
    subject: toSubjectReference(r.subjectOfCare, ctx),
    effectivePeriod: r.startDate || r.endDate ? compact({ start: r.startDate, end: r.endDate }) : undefined,
    performer: r.careWorker ? [toReference(r.careWorker, 'Practitioner')] : undefined,
    valueString: r.text,
    component: someOrUndefined(component),
  };
  return [primaryEntry('risk', r, ctx, observation)];
}

export function fromFhir(o: Observation): Draft<RiskInput> {
  const componentText = (code: string) =>
    o.component?.find((c) => c.code.coding?.some((x) => x.system === VALUE_SETS.riskComponent.system && x.code === code))?.valueString;
  return compact({
    resourceType: 'MODS-Risk',
    ...readIdentity(o),
    subjectOfCare: o.subject ? fromSubjectReference(o.subject) : undefined,
    careWorker: o.performer?.[0] ? fromReference(o.performer[0]) : undefined,
    category: fromConcept(o.code),
    startDate: o.effectivePeriod?.start,
    endDate: o.effectivePeriod?.end,
    ...readParticipants(o),
    ...Object.fromEntries(COMPONENTS.map(([key, code]) => [key, componentText(code)])),
    text: o.valueString,
    riskLocation: readReferenceExts(o, 'risk-location'),
  });
}
