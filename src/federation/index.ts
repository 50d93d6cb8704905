// Federation: the person index, the record locator and the change feed that keeps them current, and
// registration requests. (Federated retrieval across tenants builds on these.)
import type { Logger } from 'pino';
import type { Definitions } from '../fhir/definitions.js';
import type { Repository } from '../store/index.js';
import { ChangeFeed } from './change-feed.js';
import { RecordLocator } from './locator.js';
import { PersonIndex } from './person-index.js';
import type { FederationSettings } from './settings.js';

export { LOCATOR_SYSTEM, RecordLocator, TENANT_SYSTEM } from './locator.js';
export type { LocatorEntry } from './locator.js';
export { PersonIndex, sourceUrl } from './person-index.js';
export { registrationView, requestRegistration } from './registrations.js';
export type { RegistrationView } from './registrations.js';
export type { FederationSettings } from './settings.js';
export { ChangeFeed } from './change-feed.js';

export interface Federation {
  index: PersonIndex;
  locator: RecordLocator;
  feed: ChangeFeed;
}

export function createFederation(repo: Repository, defs: Definitions, settings: FederationSettings, log: Logger): Federation {
  const index = new PersonIndex(defs, settings);
  const locator = new RecordLocator(defs, settings);
  return { index, locator, feed: new ChangeFeed(repo, index, locator, settings, log) };
}
