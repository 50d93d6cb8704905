// The transport-independent FHIR REST contract (Medplum's fhir-router idea): http/ adapts Fastify to
// it, and batch/transaction entries re-enter the same router without HTTP.
import type { Definitions } from '../fhir/definitions.js';
import type { Validator } from '../fhir/validation.js';
import type { Repository } from '../store/index.js';
import type { BundleOut } from './bundle.js';
import type { RawJson } from './raw-json.js';
import type { Resource } from '../fhir/types.js';
import type { RequestContext } from '../fhir/context.js';

export type { Principal, RequestContext } from '../fhir/context.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface FhirRequest {
  method: HttpMethod;
  /** Path segments after the base: ['Patient', '123', '_history', '2']. */
  path: string[];
  query: [string, string][];
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  body?: unknown;
  contentType?: string;
}

export interface FhirResponse {
  status: number;
  /** A resource object, stored JSON text passed through without re-serialising, or a Bundle holding either. */
  body?: Resource | RawJson | BundleOut;
  headers: Record<string, string>;
  /** Set when the body is not FHIR (an operation answering in another format, e.g. MODS JSON). */
  contentType?: string;
}

export interface RestServices {
  defs: Definitions;
  validator: Validator;
  /** Secret for signing paging cursors, so a next link cannot be forged or reused for another query. */
  cursorSecret: Buffer;
  /** Largest transaction or batch accepted, in entries. */
  maxBundleEntries: number;
  /** Software name and version for the CapabilityStatement. */
  software: { name: string; version: string };
}

export type InteractionHandler = (ctx: RequestContext, req: FhirRequest, repo: Repository, services: RestServices) => Promise<FhirResponse>;
