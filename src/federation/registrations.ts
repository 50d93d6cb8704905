// Registration requests of the MODS API: a tenant asks for a subject of care to be registered with the
// platform; the request is pending until the change feed has processed the Patient version it wrote.
import type { Registration, Repository } from '../store/index.js';

/** The registration status as the MODS API shows it (api-contract.md). */
export interface RegistrationView {
  subjectOfCareId: string;
  status: Registration['status'];
  reason?: string;
  diagnostics?: string;
  personId?: string;
  timestamp: string;
}

export function registrationView(r: Registration): RegistrationView {
  return {
    subjectOfCareId: r.subjectOfCareId,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.diagnostics ? { diagnostics: r.diagnostics } : {}),
    ...(r.personId ? { personId: r.personId } : {}),
    timestamp: r.timestamp,
  };
}

export async function requestRegistration(repo: Repository, id: string, tenant: string, subjectOfCareId: string, patientVersion: number): Promise<Registration> {
  return repo.federation.addRegistration({ id, tenant, subjectOfCareId, patientVersion });
}
