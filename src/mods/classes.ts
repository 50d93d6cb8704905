// The MODS classes the adapter handles: for each, its path name, MODS resourceType, schema, primary FHIR
// type and the two mappings. Everything generic (parse, transform, publish) works from this table.
import type { z } from 'zod';
import type { Resource } from '../fhir/types.js';
import { aboutMe } from './model/about-me.js';
import { admission } from './model/admission.js';
import { alert } from './model/alert.js';
import { allergy } from './model/allergy.js';
import { careOrganisation } from './model/care-organisation.js';
import { careWorker } from './model/care-worker.js';
import { carer } from './model/carer.js';
import { discharge } from './model/discharge.js';
import { document } from './model/document.js';
import { location } from './model/location.js';
import { need } from './model/need.js';
import { preference } from './model/preference.js';
import { proxy } from './model/proxy.js';
import { risk } from './model/risk.js';
import { service } from './model/service.js';
import { strength } from './model/strength.js';
import { subjectOfCare } from './model/subject-of-care.js';
import { task } from './model/task.js';
import { wish } from './model/wish.js';
import * as aboutMeMap from './mapping/about-me.js';
import * as alertMap from './mapping/alert.js';
import * as allergyMap from './mapping/allergy.js';
import * as careOrganisationMap from './mapping/care-organisation.js';
import * as careWorkerMap from './mapping/care-worker.js';
import * as carerMap from './mapping/carer.js';
import * as documentMap from './mapping/document.js';
import { admissionFromFhir, admissionToFhir, dischargeFromFhir, dischargeToFhir } from './mapping/encounter.js';
import * as locationMap from './mapping/location.js';
import { statementFromFhir, statementToFhir } from './mapping/observation-statement.js';
import * as proxyMap from './mapping/proxy.js';
import * as riskMap from './mapping/risk.js';
import * as serviceMap from './mapping/service.js';
import type { FhirEntry, MappingContext, PartLookup } from './mapping/shared.js';
import * as subjectOfCareMap from './mapping/subject-of-care.js';
import * as taskMap from './mapping/task.js';
import type { ModsClassName } from './terminology.js';

export type ModsRecord = { resourceType: string; recordUid?: string; versionNumber?: number } & Record<string, unknown>;

export interface ModsClass {
  name: ModsClassName;
  /** Root of MODS paths in error messages (`alert.status`): the class name in camelCase. */
  key: string;
  resourceType: string;
  fhirType: string;
  schema: z.ZodType<ModsRecord>;
  toFhir(record: ModsRecord, ctx: MappingContext): FhirEntry[];
  /** Draft MODS from the primary resource (and its parts); the schema then makes it canonical or says what is missing. */
  fromFhir(primary: Resource, lookup: PartLookup): unknown;
}

/**
 * One class entry, typed by its schema. The casts are where the table forgets each class's own record
 * type: toFhir/fromFhir only ever receive what this class's schema and FHIR type produced.
 */
function define<S extends z.ZodType<ModsRecord>, R extends Resource>(
  name: ModsClassName,
  resourceType: string,
  fhirType: R['resourceType'],
  schema: S,
  toFhir: (record: z.output<S>, ctx: MappingContext) => FhirEntry[],
  fromFhir: (primary: R, lookup: PartLookup) => unknown,
): ModsClass {
  const key = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return { name, key, resourceType, fhirType, schema, toFhir: toFhir as ModsClass['toFhir'], fromFhir: fromFhir as ModsClass['fromFhir'] };
}

const statement = (name: ModsClassName, resourceType: string) => ({
  to: (r: ModsRecord, ctx: MappingContext) => statementToFhir(name, r as unknown as Parameters<typeof statementToFhir>[1], ctx),
  from: (o: Resource) => statementFromFhir(resourceType, o as Parameters<typeof statementFromFhir>[1]),
});

export const MODS_CLASSES: readonly ModsClass[] = [
  define('subject-of-care', 'MODS-SubjectOfCare', 'Patient', subjectOfCare, subjectOfCareMap.toFhir, subjectOfCareMap.fromFhir),
  define('care-worker', 'MODS-CareWorker', 'Practitioner', careWorker, careWorkerMap.toFhir, careWorkerMap.fromFhir),
  define('care-organisation', 'MODS-CareOrganisation', 'Organization', careOrganisation, careOrganisationMap.toFhir, careOrganisationMap.fromFhir),
  define('proxy', 'MODS-ProxyForSubjectOfCare', 'RelatedPerson', proxy, proxyMap.toFhir, proxyMap.fromFhir),
  define('carer', 'MODS-Carer', 'RelatedPerson', carer, carerMap.toFhir, carerMap.fromFhir),
  define('about-me', 'MODS-AboutMe', 'QuestionnaireResponse', aboutMe, aboutMeMap.toFhir, aboutMeMap.fromFhir),
  define('alert', 'MODS-Alert', 'Flag', alert, alertMap.toFhir, alertMap.fromFhir),
  define('risk', 'MODS-Risk', 'Observation', risk, riskMap.toFhir, riskMap.fromFhir),
  define('allergy', 'MODS-Allergy', 'AllergyIntolerance', allergy, allergyMap.toFhir, allergyMap.fromFhir),
  ...(
    [
      ['preference', preference, 'MODS-Preference'],
      ['strength', strength, 'MODS-Strength'],
      ['wish', wish, 'MODS-Wish'],
      ['need', need, 'MODS-Need'],
    ] as const
  ).map(([name, schema, resourceType]) => {
    const s = statement(name, resourceType);
    return define(name, resourceType, 'Observation', schema as z.ZodType<ModsRecord>, s.to, s.from);
  }),
  define('service', 'MODS-Service', 'EpisodeOfCare', service, serviceMap.toFhir, serviceMap.fromFhir),
  define('task', 'MODS-Task', 'Task', task, taskMap.toFhir, taskMap.fromFhir),
  define('location', 'MODS-Location', 'Location', location, locationMap.toFhir, locationMap.fromFhir),
  define('document', 'MODS-Document', 'DocumentReference', document, documentMap.toFhir, documentMap.fromFhir),
  define('admission', 'MODS-AdmissionDetails', 'Encounter', admission, admissionToFhir, admissionFromFhir),
  define('discharge', 'MODS-DischargeDetails', 'Encounter', discharge, dischargeToFhir, dischargeFromFhir),
];

export function modsClass(name: string): ModsClass | undefined {
  return MODS_CLASSES.find((c) => c.name === name);
}
