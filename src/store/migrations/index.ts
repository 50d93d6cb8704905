// The ordered list of migrations. Append only: a released migration is never edited.
import * as resources from './0001-resources.js';
import * as tenants from './0002-tenants-and-clients.js';
import * as federation from './0003-federation.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, ...resources },
  { version: 2, ...tenants },
  { version: 3, ...federation },
];
