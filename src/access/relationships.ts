// Legitimate relationships: an organisation has one with a person when its tenant holds a registered
// record of them, or when it provides them an active service — an EpisodeOfCare, held by any tenant,
// whose managingOrganization names the organisation by ODS code, with status active and not ended.
import type { EpisodeOfCare } from '@medplum/fhirtypes';
import type { CareService } from '../store/index.js';
import { ODS_SYSTEM } from './consent.js';

/** The service an EpisodeOfCare version describes, or undefined when it gives no relationship. */
export function careServiceOf(episode: EpisodeOfCare | undefined): CareService | undefined {
  if (!episode || episode.status !== 'active') return undefined;
  const patient = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(episode.patient?.reference ?? '');
  const org = episode.managingOrganization?.identifier;
  if (!patient || org?.system !== ODS_SYSTEM || !org.value) return undefined;
  return { patientId: patient[1], organisation: org.value, ...(episode.period?.end ? { periodEnd: episode.period.end } : {}) };
}
