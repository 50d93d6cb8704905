// The UK Core (HL7 UK, FHIR R4) profiles the platform ships, with the constraints of theirs that a
// machine can check: identifier slices with fixed systems (a value is required), the NHS number
// verification-status binding, and valid NHS numbers and ODS codes wherever they appear.
// docs/api.md lists every rule; correct them here when the official package can be loaded.
import { isValidNhsNumber, NHS_NUMBER_SYSTEM } from './nhs-number.js';
import { walk } from './profile.js';
import type { ProfileDefinition, ProfileRule } from './profile.js';

const UK_CORE = 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-';
const ODS_ORGANISATION = 'https://fhir.nhs.uk/Id/ods-organization-code';
const ODS_SITE = 'https://fhir.nhs.uk/Id/ods-site-code';
export const NHS_NUMBER_VERIFICATION_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus';
export const NHS_NUMBER_VERIFICATION_SYSTEM = 'https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland';
export const NHS_NUMBER_VERIFICATION_CODES: Readonly<Record<string, string>> = {
  '01': 'Number present and verified',
  '02': 'Number present but not traced',
  '03': 'Trace required',
  '04': 'Trace attempted - No match or multiple match found',
  '05': 'Trace needs to be resolved - (NHS Number or patient detail conflict)',
  '06': 'Trace in progress',
  '07': 'Number not present and trace not required',
  '08': 'Trace postponed (baby under six weeks old)',
};

/** ODS organisation and site codes: 3 to 10 letters and digits. */
export const ODS_CODE = /^[A-Za-z0-9]{3,10}$/;

/** Every identifier (or Reference.identifier) using one of these systems must carry a well-formed value. */
const identifierValues: ProfileRule = {
  key: 'ukc-id-1',
  human: 'An NHS number is 10 digits with a valid modulus-11 check digit; an ODS code is 3 to 10 letters and digits',
  check(resource, report) {
    walk(resource, resource.resourceType as string, (obj, path) => {
      if (typeof obj.system !== 'string' || !('value' in obj) || typeof obj.value !== 'string') return;
      if (obj.system === NHS_NUMBER_SYSTEM && !isValidNhsNumber(obj.value)) report(`${path}.value`, `'${obj.value}' is not a valid NHS number`);
      if ((obj.system === ODS_ORGANISATION || obj.system === ODS_SITE) && !ODS_CODE.test(obj.value)) report(`${path}.value`, `'${obj.value}' is not a valid ODS code`);
    });
  },
};

/** A slice of `identifier` fixed to a system: when the system is present, a value must be too. */
function identifierSlice(key: string, slice: string, system: string): ProfileRule {
  return {
    key,
    human: `identifier:${slice} (system ${system}) has a value`,
    check(resource, report) {
      const identifiers = (resource.identifier as Record<string, unknown>[] | undefined) ?? [];
      identifiers.forEach((id, i) => {
        if (id.system === system && (typeof id.value !== 'string' || id.value === '')) {
          report(`${resource.resourceType as string}.identifier[${i}].value`, `identifier:${slice} must have a value`);
        }
      });
    },
  };
}

const verificationStatus: ProfileRule = {
  key: 'ukc-pat-2',
  human: `The NHS number verification status, when given, is one coding from ${NHS_NUMBER_VERIFICATION_SYSTEM} (codes 01-08)`,
  check(resource, report) {
    const identifiers = (resource.identifier as Record<string, unknown>[] | undefined) ?? [];
    identifiers.forEach((id, i) => {
      ((id.extension as Record<string, unknown>[] | undefined) ?? []).forEach((ext, j) => {
        if (ext.url !== NHS_NUMBER_VERIFICATION_EXTENSION) return;
        const path = `Patient.identifier[${i}].extension[${j}]`;
        if (id.system !== NHS_NUMBER_SYSTEM) report(path, 'the verification status belongs on the NHS number identifier');
        const codings = ((ext.valueCodeableConcept as Record<string, unknown> | undefined)?.coding as Record<string, unknown>[] | undefined) ?? [];
        const coding = codings.find((c) => c.system === NHS_NUMBER_VERIFICATION_SYSTEM);
        if (!coding || typeof coding.code !== 'string' || !NHS_NUMBER_VERIFICATION_CODES[coding.code]) {
          report(`${path}.valueCodeableConcept`, `must be a code of ${NHS_NUMBER_VERIFICATION_SYSTEM} (01-08)`);
        }
      });
    });
  },
};

const PRACTITIONER_IDENTIFIERS: [string, string][] = [
  ['sdsUserId', 'https://fhir.nhs.uk/Id/sds-user-id'],
  ['gmcNumber', 'https://fhir.hl7.org.uk/Id/gmc-number'],
  ['gmpNumber', 'https://fhir.hl7.org.uk/Id/gmp-number'],
  ['nmcNumber', 'https://fhir.hl7.org.uk/Id/nmc-number'],
  ['gphcNumber', 'https://fhir.hl7.org.uk/Id/gphc-number'],
  ['hcpcNumber', 'https://fhir.hl7.org.uk/Id/hcpc-number'],
];

function profile(type: string, rules: ProfileRule[] = []): ProfileDefinition {
  return { url: `${UK_CORE}${type}`, name: `UKCore${type}`, title: `UK Core ${type}`, type, rules: [identifierValues, ...rules] };
}

export const UK_CORE_PROFILES: readonly ProfileDefinition[] = [
  profile('Patient', [identifierSlice('ukc-pat-1', 'nhsNumber', NHS_NUMBER_SYSTEM), verificationStatus]),
  profile('Organization', [identifierSlice('ukc-org-1', 'odsOrganisationCode', ODS_ORGANISATION)]),
  profile('Practitioner', PRACTITIONER_IDENTIFIERS.map(([slice, system], i) => identifierSlice(`ukc-prac-${i + 1}`, slice, system))),
  profile('PractitionerRole', [identifierSlice('ukc-prole-1', 'sdsRoleProfileId', 'https://fhir.nhs.uk/Id/sds-role-profile-id')]),
  profile('Location', [identifierSlice('ukc-loc-1', 'odsSiteCode', ODS_SITE)]),
  profile('Encounter'),
  profile('Flag'),
  profile('AllergyIntolerance'),
  profile('Observation'),
  profile('Condition'),
  profile('Consent'),
  profile('DocumentReference'),
];
