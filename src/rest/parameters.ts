// Reading an operation's input Parameters resource, and naming a parameter in an OperationOutcome.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import type { FhirRequest } from './types.js';

export const parameter = (req: FhirRequest, name: string): ParametersParameter | undefined => {
  const body = req.body as Parameters | undefined;
  if (body?.resourceType !== 'Parameters') throw new FhirError('invalid', { diagnostics: 'The body must be a Parameters resource', expression: ['resourceType'] });
  return body.parameter?.find((p) => p.name === name);
};

/** The FHIRPath of a named parameter, for `issue.expression`. */
export const parameterPath = (name: string): string[] => [`Parameters.parameter.where(name='${name}')`];
