// capabilities: GET [base]/metadata (R4 http.html#capabilities), generated from the route table and
// the search parameters we index, so it states only what is really supported.
import type { CapabilityStatement } from '../../fhir/types.js';
import type { OperationDescriptor } from '../operations.js';
import type { InteractionHandler, RestServices } from '../types.js';

export const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
export const SYSTEM_INTERACTIONS = ['transaction', 'batch', 'history-system'] as const;

function build(services: RestServices, operations: readonly OperationDescriptor[], base: string): CapabilityStatement {
  const listed = (ops: OperationDescriptor[]) => ops.map((o) => ({ name: o.name, definition: o.definition }));
  const resource = [...services.defs.resourceTypes].sort().map((type) => {
    const params = [...(services.defs.searchParameters.get(type)?.values() ?? [])].filter((p) => p.expression || p.code === '_id' || p.code === '_lastUpdated');
    return {
      type,
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      supportedProfile: [...services.validator.profiles.values()].filter((p) => p.type === type).map((p) => p.url),
      interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalCreate: true,
      conditionalRead: 'full-support',
      conditionalUpdate: true,
      conditionalDelete: 'single',
      searchInclude: [`${type}:*`],
      searchRevInclude: ['*'],
      searchParam: params.map((p) => ({ name: p.code, definition: p.url, type: p.type, documentation: p.description })),
      operation: listed(operations.filter((o) => o.levels.some((l) => l !== 'system') && (!o.types || o.types.includes(type)))),
    };
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: services.software,
    implementation: { description: 'OpenSCIP FHIR R4 endpoint', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: true,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'OAuth 2.0 client credentials (SMART Backend Services); send Authorization: Bearer <token>.',
        },
        resource,
        interaction: SYSTEM_INTERACTIONS.map((code) => ({ code })),
        operation: listed(operations.filter((o) => o.levels.includes('system'))),
        searchParam: [
          { name: '_count', type: 'number' },
          { name: '_sort', type: 'string' },
          { name: '_total', type: 'token' },
          { name: '_include', type: 'string' },
          { name: '_revinclude', type: 'string' },
          { name: '_summary', type: 'token' },
          { name: '_elements', type: 'string' },
        ],
      },
    ],
  } as CapabilityStatement;
}

/** The metadata handler of a router with these operations (the statement is built once, on first use). */
export function capabilities(operations: readonly OperationDescriptor[]): InteractionHandler {
  let statement: CapabilityStatement | undefined;
  return async (ctx, _req, _repo, services) => {
    statement ??= build(services, operations, ctx.base);
    return { status: 200, headers: {}, body: { ...statement, implementation: { ...statement.implementation, url: ctx.base } } as CapabilityStatement };
  };
}
