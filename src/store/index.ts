// The store's public door: the only module other layers import from store/.
export { openDatabase } from './db/open.js';
export type { DatabaseConfig } from './db/open.js';
export type { Database, Queryable } from './db/driver.js';
export { migrate } from './migrate.js';
export { Repository } from './repository.js';
export type { StoreServices, WriteResult } from './repository.js';
export type { StoredVersion, WriteMethod } from './resources.js';
export type { HistoryPage, HistoryQuery } from './history.js';
export type { Keyset } from './search/compile.js';
export type { FoundResource, SearchResult } from './search/execute.js';
export { createParamRegistry } from './search/registry.js';
export type { ParamRegistry } from './search/registry.js';
export * as platform from './platform.js';
export type { ClientRecord, SigningKeyRecord, TenantRecord } from './platform.js';
export { StatisticsKeeper } from './statistics.js';
export { DataDirInUseError } from './db/lock.js';
export type { Change, PersonLink, Registration, RegistrationStatus } from './federation.js';
export type { HeldKind } from './compartment.js';
