// The ordered list of migrations. Append only: a released migration is never edited.
import * as resources from './0001-resources.js';
import * as tenants from './0002-tenants-and-clients.js';
import * as federation from './0003-federation.js';
import * as partitions from './0004-tenant-partitions.js';
import * as identity from './0005-identity.js';
import * as audit from './0006-audit.js';
import * as assertions from './0007-client-assertions.js';
import * as accessPolicy from './0008-access-policy.js';
import * as resourceSecurity from './0009-resource-security.js';
import * as feedPosition from './0010-feed-position.js';
import * as coveringIndexes from './0011-covering-value-indexes.js';
import * as settlementOutbox from './0012-settlement-outbox.js';
import * as auditBlocks from './0013-audit-blocks.js';
import * as auditKeysPendingList from './0014-audit-keys-pending-list.js';
import * as auditKeyHashes from './0015-audit-key-hashes.js';
import type { Queryable } from '../db/driver.js';

export interface Migration {
  version: number;
  name: string;
  /** Static SQL, or `run` for a migration that depends on what the database holds. */
  sql?: string;
  run?: (tx: Queryable) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, ...resources },
  { version: 2, ...tenants },
  { version: 3, ...federation },
  { version: 4, ...partitions },
  { version: 5, ...identity },
  { version: 6, ...audit },
  { version: 7, ...assertions },
  { version: 8, ...accessPolicy },
  { version: 9, ...resourceSecurity },
  { version: 10, ...feedPosition },
  { version: 11, ...coveringIndexes },
  { version: 12, ...settlementOutbox },
  { version: 13, ...auditBlocks },
  { version: 14, ...auditKeysPendingList },
  { version: 15, ...auditKeyHashes },
];
