// $validate: POST [base]/[type]/$validate and [base]/[type]/[id]/$validate (R4 resource-operation-validate).
// Takes the resource directly or in a Parameters `resource` parameter; answers an OperationOutcome.
import { invalid } from '../../fhir/errors.js';
import type { Parameters, Resource } from '../../fhir/types.js';
import { bodyResource, requireType } from '../resource-input.js';
import type { InteractionHandler } from '../types.js';

export const validateOperation: InteractionHandler = async (_ctx, req, _repo, services) => {
  const [type] = req.path;
  requireType(services, type);
  let resource: Resource = bodyResource(req.body, undefined);
  if (resource.resourceType === 'Parameters' && type !== 'Parameters') {
    const param = (resource as Parameters).parameter?.find((p) => p.name === 'resource');
    if (!param?.resource) throw invalid('Parameters must carry the resource to validate in a parameter named "resource"', 'Parameters.parameter');
    resource = param.resource;
  }
  if (resource.resourceType !== type) throw invalid(`The resource is a ${resource.resourceType} but the URL names ${type}`, 'resourceType');
  const issues = services.defs.resourceTypes.has(resource.resourceType) ? services.validator.validate(resource) : [];
  return {
    status: 200,
    headers: {},
    body: {
      resourceType: 'OperationOutcome',
      issue: issues.length ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'No issues found' }],
    },
  };
};
