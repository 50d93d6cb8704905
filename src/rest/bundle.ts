// Bundles returned by search and history, with stored resources spliced in as raw JSON.
import type { BundleLink, OperationOutcome } from '../fhir/types.js';
import type { RawJson } from './raw-json.js';

export interface BundleEntryOut {
  fullUrl?: string;
  resource?: RawJson | object;
  search?: { mode: 'match' | 'include' | 'outcome'; score?: number; extension?: { url: string; valueCode?: string; extension?: unknown[] }[] };
  request?: { method: string; url: string };
  response?: { status: string; location?: string; etag?: string; lastModified?: string; outcome?: OperationOutcome };
}

export interface BundleOut {
  resourceType: 'Bundle';
  id?: string;
  meta?: { lastUpdated: string };
  type: 'searchset' | 'history' | 'batch-response' | 'transaction-response' | 'collection';
  total?: number;
  link?: BundleLink[];
  entry?: BundleEntryOut[];
}

export function bundle(type: BundleOut['type'], entries: BundleEntryOut[], extra: Partial<BundleOut> = {}): BundleOut {
  const b: BundleOut = { resourceType: 'Bundle', type, meta: { lastUpdated: new Date().toISOString() }, ...extra };
  // FHIR JSON never carries empty arrays.
  if (entries.length) b.entry = entries;
  return b;
}

/** Query string from ordered pairs, for self/next links. */
export function queryString(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
