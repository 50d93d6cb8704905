// What the identity capability needs to know about the platform it runs in.
import type { Repository } from '../store/index.js';
import type { MatchModel } from './model.js';

export interface IdentitySettings {
  /** The tenant id of the central store, where golden persons and review tasks live. */
  centralTenant: string;
  /** The FHIR base at which a tenant's records are reached: source links are absolute URLs. */
  tenantBase(tenant: string): string;
  model: MatchModel;
  /** Told when a record changes person other than by registering it (merges, unmerges), to re-point what depends on the link. */
  relinked?(repo: Repository, tenant: string, patientId: string, personId: string): Promise<void>;
}

/** Absolute URL of a tenant's Patient: what golden records link to and locator pointers point at. */
export const sourceUrl = (settings: Pick<IdentitySettings, 'tenantBase'>, tenant: string, patientId: string): string => `${settings.tenantBase(tenant)}/Patient/${patientId}`;
