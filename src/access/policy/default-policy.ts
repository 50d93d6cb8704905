// The policy a new platform starts with (version 1 in the store). Operators replace it through the admin
// API or `scip policy set`; docs/security.md explains each rule.
import type { PolicyDocument } from './document.js';

/** The starter roles (docs/security.md). */
export const ROLES = {
  careWorker: 'care-worker',
  registeredManager: 'registered-manager',
  socialWorker: 'social-worker',
  clinician: 'clinician',
  safeguardingLead: 'safeguarding-lead',
  auditor: 'auditor',
  platformAdmin: 'platform-admin',
  system: 'system',
} as const;

const READ = ['read', 'search', 'history', '$everything', '$merged-view'] as const;
const WRITE = ['create', 'update', '$validate', '$transform'] as const;
/** What care staff record day to day. */
const CARE_NOTES = ['Observation', 'Flag', 'Communication', 'QuestionnaireResponse', 'DocumentReference', 'CarePlan', 'Goal', 'Task', 'Consent', 'RelatedPerson'];

export const DEFAULT_POLICY: PolicyDocument = {
  description: 'OpenSCIP starter policy: direct care sees administrative and clinical records of the people it cares for; restricted (safeguarding) records need the safeguarding purpose and role.',
  labels: {
    otherwise: 'clinical',
    administrative: [
      'Patient', 'RelatedPerson', 'Person', 'Practitioner', 'PractitionerRole', 'Organization', 'Location', 'HealthcareService', 'Endpoint',
      'CareTeam', 'EpisodeOfCare', 'Encounter', 'Appointment', 'Schedule', 'Slot', 'Task', 'Consent', 'Coverage',
    ],
  },
  rules: [
    {
      id: 'system-client', effect: 'permit', roles: [ROLES.system], types: ['*'],
      interactions: [...READ, ...WRITE, 'delete', '$match'],
      labels: ['administrative', 'clinical', 'restricted'],
      description: "A supplier's system acts for its organisation on its own records, and on the shared view of the people it holds records for.",
    },
    { id: 'care-worker-read', effect: 'permit', roles: [ROLES.careWorker], types: ['*'], interactions: [...READ], labels: ['administrative', 'clinical'], purposes: ['direct-care', 'break-glass'] },
    { id: 'care-worker-write', effect: 'permit', roles: [ROLES.careWorker], types: CARE_NOTES.filter((t) => t !== 'Consent'), interactions: [...WRITE], labels: ['administrative', 'clinical'], purposes: ['direct-care'] },
    { id: 'registered-manager', effect: 'permit', roles: [ROLES.registeredManager], types: ['*'], interactions: [...READ, ...WRITE, 'delete', '$match'], labels: ['administrative', 'clinical'], purposes: ['direct-care', 'break-glass'] },
    { id: 'clinician', effect: 'permit', roles: [ROLES.clinician], types: ['*'], interactions: [...READ, ...WRITE, '$match'], labels: ['administrative', 'clinical'], purposes: ['direct-care', 'break-glass'] },
    { id: 'social-worker', effect: 'permit', roles: [ROLES.socialWorker], types: ['*'], interactions: [...READ, ...WRITE, '$match'], labels: ['administrative', 'clinical'], purposes: ['direct-care', 'safeguarding', 'break-glass'] },
    {
      id: 'safeguarding', effect: 'permit', roles: [ROLES.safeguardingLead, ROLES.socialWorker], types: ['*'], interactions: [...READ, ...WRITE, '$match'],
      labels: ['administrative', 'clinical', 'restricted'], purposes: ['safeguarding'],
      description: 'Restricted (safeguarding) records, for the safeguarding purpose only.',
    },
    { id: 'safeguarding-lead-direct-care', effect: 'permit', roles: [ROLES.safeguardingLead], types: ['*'], interactions: [...READ], labels: ['administrative', 'clinical'], purposes: ['direct-care', 'break-glass'] },
    { id: 'care-staff-no-audit-trail', effect: 'deny', roles: [ROLES.careWorker, ROLES.registeredManager, ROLES.clinician, ROLES.socialWorker, ROLES.safeguardingLead, ROLES.system], types: ['AuditEvent'], interactions: ['*'], labels: [] },
    { id: 'auditor', effect: 'permit', roles: [ROLES.auditor], types: ['AuditEvent'], interactions: ['read', 'search'], labels: ['administrative', 'clinical', 'restricted'], relationship: false },
    {
      id: 'platform-admin', effect: 'permit', roles: [ROLES.platformAdmin], types: ['*'], interactions: ['*'], labels: ['administrative', 'clinical', 'restricted'], relationship: false,
      description: 'Operators: the person index, merges, reviews and the audit trail.',
    },
  ],
  breakGlass: { roles: [ROLES.clinician, ROLES.socialWorker, ROLES.registeredManager, ROLES.safeguardingLead], maxMinutes: 60 },
};
