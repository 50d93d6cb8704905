// FHIR R4 resource types come from a library; the rest of the code imports them from here only.
export type {
  Bundle,
  BundleEntry,
  BundleEntryRequest,
  BundleEntryResponse,
  BundleLink,
  CapabilityStatement,
  Coding,
  CodeableConcept,
  ElementDefinition,
  Extension,
  Identifier,
  Meta,
  OperationOutcome,
  OperationOutcomeIssue,
  Parameters,
  ParametersParameter,
  Reference,
  Resource,
  ResourceType,
  SearchParameter,
  StructureDefinition,
} from '@medplum/fhirtypes';

/** A resource as stored: JSON object with an id and meta once written. */
export type AnyResource = import('@medplum/fhirtypes').Resource & { id?: string };
