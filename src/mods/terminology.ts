// The code systems and value sets MODS binds to that we know the contents of (mods.md §4.1), shipped
// as CodeSystem / ValueSet resources and used to check and canonicalise codes in MODS payloads.
// `origin` says whose content it is: UK Core and SCIP were read in their sources; 'OpenSCIP' marks
// our own proposals, listed in docs/mods.md so they can be replaced when the official ones are known.
import { NHS_NUMBER_VERIFICATION_CODES } from '../fhir/profiles/uk-core.js';
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';

export const OPENSCIP_FHIR = 'https://openscip.org/fhir';
export const SCIP_FHIR = 'https://metadata.phase2.scip.synanetics.cloud/fhir/r4';
export const SNOMED = 'http://snomed.info/sct';
export const DMD = 'https://dmd.nhs.uk';

interface ValueSetSource {
  /** Resource id and computable name stem. */
  id: string;
  title: string;
  origin: 'UK Core' | 'SCIP' | 'FHIR R4' | 'OpenSCIP';
  system: string;
  valueSet: string;
  /** True when we publish the CodeSystem too (false: an external system such as SNOMED CT or FHIR's own). */
  definesSystem: boolean;
  concepts: readonly (readonly [code: string, display: string])[];
}

const UKCORE_CS = 'https://fhir.hl7.org.uk/CodeSystem';
const UKCORE_VS = 'https://fhir.hl7.org.uk/ValueSet';

export const VALUE_SETS = {
  ethnicCategory: {
    id: 'UKCore-EthnicCategory', title: 'Ethnic category (NHS Data Dictionary, 2001 census)', origin: 'UK Core', definesSystem: true,
    system: `${UKCORE_CS}/UKCore-EthnicCategoryEngland`, valueSet: `${UKCORE_VS}/UKCore-EthnicCategory`,
    concepts: [
      ['A', 'White - British'], ['B', 'White - Irish'], ['C', 'White - Any other White background'],
      ['D', 'Mixed - White and Black Caribbean'], ['E', 'Mixed - White and Black African'], ['F', 'Mixed - White and Asian'],
      ['G', 'Mixed - Any other mixed background'], ['H', 'Asian or Asian British - Indian'], ['J', 'Asian or Asian British - Pakistani'],
      ['K', 'Asian or Asian British - Bangladeshi'], ['L', 'Asian or Asian British - Any other Asian background'],
      ['M', 'Black or Black British - Caribbean'], ['N', 'Black or Black British - African'],
      ['P', 'Black or Black British - Any other Black background'], ['R', 'Other Ethnic Groups - Chinese'],
      ['S', 'Other Ethnic Groups - Any other ethnic group'], ['Z', 'Not stated'], ['99', 'Not known'],
    ],
  },
  statedGender: {
    id: 'PersonStatedGenderCode', title: 'Person stated gender (NHS Data Dictionary)', origin: 'UK Core', definesSystem: true,
    system: `${UKCORE_CS}/NHSDataModelAndDictionary-PersonStatedGenderCode`, valueSet: `${OPENSCIP_FHIR}/ValueSet/mods-gender-identity`,
    concepts: [['1', 'Male'], ['2', 'Female'], ['9', 'Indeterminate'], ['X', 'Not Known']],
  },
  nhsNumberVerificationStatus: {
    id: 'UKCore-NHSNumberVerificationStatus', title: 'NHS number verification status', origin: 'UK Core', definesSystem: true,
    system: `${UKCORE_CS}/UKCore-NHSNumberVerificationStatusEngland`, valueSet: `${UKCORE_VS}/UKCore-NHSNumberVerificationStatus`,
    concepts: Object.entries(NHS_NUMBER_VERIFICATION_CODES),
  },
  personRelationship: {
    id: 'UKCore-AdditionalPersonRelationshipRole', title: 'Additional person relationship role', origin: 'UK Core', definesSystem: true,
    system: `${UKCORE_CS}/UKCore-AdditionalPersonRelationshipRole`, valueSet: `${OPENSCIP_FHIR}/ValueSet/mods-proxy-role`,
    concepts: [
      ['Agent', 'Agent'], ['Guardian', 'Guardian'], ['ProxyContact', 'Proxy Contact'], ['ProxyCommunication', 'Proxy Communication'],
      ['ProxyContactCommunication', 'Proxy Contact and Communication'], ['Carer', 'Carer'], ['Personal', 'Personal relationship'],
      ['NotSpecified', 'Not specified'],
    ],
  },
  riskComponent: {
    id: 'MODS-RiskComponentCode-1', title: 'MODS risk observation component code', origin: 'SCIP', definesSystem: true,
    system: `${SCIP_FHIR}/CodeSystem/MODS-RiskComponentCode-1`, valueSet: `${SCIP_FHIR}/ValueSet/MODS-RiskComponentCode-1`,
    concepts: [['triggers', 'Triggers'], ['relapse-indicators', 'Relapse indicators'], ['comment', 'Comment']],
  },
  typeOfReaction: {
    id: 'MODS-TypeOfReaction-1', title: 'MODS type of reaction', origin: 'SCIP', definesSystem: true,
    system: `${SCIP_FHIR}/CodeSystem/MODS-TypeOfReaction-1`, valueSet: `${SCIP_FHIR}/ValueSet/MODS-TypeOfReaction-1`,
    concepts: [['allergy', 'Allergy'], ['intolerance', 'Intolerance']],
  },
  alertStatus: {
    id: 'mods-alert-status', title: 'MODS alert status', origin: 'OpenSCIP', definesSystem: true,
    system: `${OPENSCIP_FHIR}/CodeSystem/mods-alert-status`, valueSet: `${OPENSCIP_FHIR}/ValueSet/mods-alert-status`,
    concepts: [['active', 'Active'], ['no-longer-needed', 'No longer needed'], ['entered-in-error', 'Entered in error']],
  },
  alertCategory: {
    id: 'mods-alert-category', title: 'MODS alert category', origin: 'OpenSCIP', definesSystem: true,
    system: `${OPENSCIP_FHIR}/CodeSystem/mods-alert-category`, valueSet: `${OPENSCIP_FHIR}/ValueSet/mods-alert-category`,
    concepts: [['clinical', 'Clinical'], ['administrative', 'Administrative'], ['safeguarding', 'Safeguarding'], ['environmental', 'Environmental'], ['behavioural', 'Behavioural']],
  },
  aboutMeSection: {
    id: 'about-me-section', title: 'PRSB About Me sections (v2.01)', origin: 'OpenSCIP', definesSystem: false,
    system: SNOMED, valueSet: `${OPENSCIP_FHIR}/ValueSet/about-me-section`,
    concepts: [
      ['1515861000000103', 'What is most important to me'], ['1515871000000105', 'People who are important to me'],
      ['1515881000000107', 'How I communicate and how to communicate with me'], ['1515891000000109', 'My wellness'],
      ['1515901000000105', 'Please do and please do not'], ['1515911000000107', 'How and when to support me'],
      ['1515921000000101', 'Also worth knowing about me'],
    ],
  },
  taskStatus: {
    id: 'mods-task-status', title: 'MODS task status (FHIR task status)', origin: 'FHIR R4', definesSystem: false,
    system: 'http://hl7.org/fhir/task-status', valueSet: 'http://hl7.org/fhir/ValueSet/task-status',
    concepts: [
      ['draft', 'Draft'], ['requested', 'Requested'], ['received', 'Received'], ['accepted', 'Accepted'], ['rejected', 'Rejected'],
      ['ready', 'Ready'], ['cancelled', 'Cancelled'], ['in-progress', 'In Progress'], ['on-hold', 'On Hold'], ['failed', 'Failed'],
      ['completed', 'Completed'], ['entered-in-error', 'Entered in Error'],
    ],
  },
  taskPriority: {
    id: 'mods-task-priority', title: 'MODS task priority (FHIR request priority)', origin: 'FHIR R4', definesSystem: false,
    system: 'http://hl7.org/fhir/request-priority', valueSet: 'http://hl7.org/fhir/ValueSet/request-priority',
    concepts: [['routine', 'Routine'], ['urgent', 'Urgent'], ['asap', 'ASAP'], ['stat', 'STAT']],
  },
  taskIntent: {
    id: 'mods-task-intent', title: 'MODS task intent (FHIR task intent)', origin: 'FHIR R4', definesSystem: false,
    system: 'http://hl7.org/fhir/task-intent', valueSet: 'http://hl7.org/fhir/ValueSet/task-intent',
    concepts: [
      ['unknown', 'Unknown'], ['proposal', 'Proposal'], ['plan', 'Plan'], ['order', 'Order'], ['original-order', 'Original Order'],
      ['reflex-order', 'Reflex Order'], ['filler-order', 'Filler Order'], ['instance-order', 'Instance Order'], ['option', 'Option'],
    ],
  },
  allergySeverity: {
    id: 'mods-reaction-severity', title: 'MODS reaction severity (FHIR reaction event severity)', origin: 'FHIR R4', definesSystem: false,
    system: 'http://hl7.org/fhir/reaction-event-severity', valueSet: 'http://hl7.org/fhir/ValueSet/reaction-event-severity',
    concepts: [['mild', 'Mild'], ['moderate', 'Moderate'], ['severe', 'Severe']],
  },
  allergyClinicalStatus: {
    id: 'mods-allergy-clinical-status', title: 'MODS allergy clinical status (FHIR)', origin: 'FHIR R4', definesSystem: false,
    system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', valueSet: 'http://hl7.org/fhir/ValueSet/allergyintolerance-clinical',
    concepts: [['active', 'Active'], ['inactive', 'Inactive'], ['resolved', 'Resolved']],
  },
} as const satisfies Record<string, ValueSetSource>;

/** Codes of the platform: which MODS class a FHIR resource was published as (meta.tag, Observation.category). */
export const MODS_CLASS_SYSTEM = `${OPENSCIP_FHIR}/CodeSystem/mods-class`;

const byValueSet = new Map<string, ValueSetSource>(Object.values(VALUE_SETS).map((v) => [v.valueSet, v]));

export interface CanonicalCoding {
  system: string;
  code: string;
  display: string;
}

/**
 * The canonical coding for a bound value (system and display filled in from the value set), or a
 * message saying what is wrong with it.
 */
export function canonicalCoding(valueSetUrl: string, coding: { system?: string; code?: string; display?: string }): CanonicalCoding | string {
  const vs = byValueSet.get(valueSetUrl);
  if (!vs) throw new Error(`Unknown MODS value set ${valueSetUrl}`);
  if (coding.system !== undefined && coding.system !== vs.system) return `system must be ${vs.system} (value set ${valueSetUrl})`;
  if (coding.code === undefined) return `needs a code from ${valueSetUrl}`;
  const concept = vs.concepts.find(([code]) => code === coding.code);
  if (!concept) return `'${coding.code}' is not a code of ${valueSetUrl} (${vs.concepts.map(([c]) => c).join(', ')})`;
  return { system: vs.system, code: concept[0], display: concept[1] };
}

/** The shipped CodeSystem and ValueSet resources. */
/** Every one has a url: they are what required bindings name. */
export type TerminologyResource = (CodeSystem | ValueSet) & { url: string };

export function terminologyResources(): TerminologyResource[] {
  const out: TerminologyResource[] = [];
  for (const vs of Object.values(VALUE_SETS) as ValueSetSource[]) {
    const meta = { status: 'active' as const, experimental: vs.origin === 'OpenSCIP', publisher: vs.origin === 'OpenSCIP' ? 'OpenSCIP' : `${vs.origin} (as shipped by OpenSCIP)` };
    const concepts = vs.concepts.map(([code, display]) => ({ code, display }));
    if (vs.definesSystem) {
      out.push({ resourceType: 'CodeSystem', id: vs.id, url: vs.system, name: computable(vs.id), title: vs.title, ...meta, content: 'complete', caseSensitive: true, concept: concepts });
    }
    out.push({
      resourceType: 'ValueSet', id: vs.id, url: vs.valueSet, name: computable(vs.id), title: vs.title, ...meta,
      compose: { include: [vs.definesSystem ? { system: vs.system } : { system: vs.system, concept: concepts }] },
    });
  }
  out.push({
    resourceType: 'CodeSystem', id: 'mods-class', url: MODS_CLASS_SYSTEM, name: 'ModsClass', title: 'MODS record classes', status: 'active',
    experimental: true, publisher: 'OpenSCIP', content: 'complete', caseSensitive: true,
    concept: MODS_CLASS_CODES.map(([code, display]) => ({ code, display })),
  });
  return out;
}

/** Every MODS class the adapter handles: path name (kebab-case) and title. */
export const MODS_CLASS_CODES = [
  ['subject-of-care', 'Subject of care'], ['care-worker', 'Care worker'], ['care-organisation', 'Care organisation'],
  ['proxy', 'Proxy for subject of care'], ['carer', 'Carer'], ['about-me', 'About Me'], ['alert', 'Alert'], ['risk', 'Risk'],
  ['allergy', 'Allergy'], ['preference', 'Preference'], ['strength', 'Strength'], ['wish', 'Wish'], ['need', 'Need'],
  ['service', 'Service'], ['task', 'Task'], ['location', 'Location'], ['document', 'Document'],
  ['admission', 'Admission details'], ['discharge', 'Discharge details'],
] as const;
export type ModsClassName = (typeof MODS_CLASS_CODES)[number][0];

const computable = (id: string): string => id.replace(/(^|[-_])([a-zA-Z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
