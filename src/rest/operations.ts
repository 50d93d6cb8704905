// Operations ($name) are declared as data: one descriptor per operation, from which the router
// dispatches and the CapabilityStatement lists them. Capabilities add their own descriptors.
import type { HttpMethod, InteractionHandler } from './types.js';

export interface OperationDescriptor {
  /** Without the `$`, e.g. 'validate'. */
  name: string;
  definition: string;
  /** Where it may be invoked: system ([base]/$op), type ([base]/T/$op), instance ([base]/T/id/$op). */
  levels: readonly ('system' | 'type' | 'instance')[];
  /** Resource types it applies to at type/instance level; undefined = all. */
  types?: readonly string[];
  methods: readonly HttpMethod[];
  /** FHIR OperationDefinition.affectsState: false lets read-only callers POST it. */
  affectsState: boolean;
  /** The handler makes its own access decision (the policy's rules do not name it: e.g. break-glass). */
  decidesOwnAccess?: boolean;
  handler: InteractionHandler;
}
