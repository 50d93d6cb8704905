// The identity operations on the central base: Patient/$match (FHIR R4), Task/{id}/$review (answer a
// review task), Patient/$merge and Patient/{id}/$unmerge. Each is one transaction.
import type { Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import { bundle } from '../rest/bundle.js';
import type { BundleEntryOut } from '../rest/bundle.js';
import type { OperationDescriptor } from '../rest/operations.js';
import type { FhirRequest, FhirResponse, RequestContext } from '../rest/types.js';
import type { PersonIndex } from './person-index.js';
import { explain } from './model.js';
import type { ReviewDecision } from './review.js';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const MATCH_EXPLANATION = 'https://openscip.org/fhir/StructureDefinition/match-explanation';
const DEFAULT_COUNT = 10;
const MAX_COUNT = 100;

const param = (req: FhirRequest, name: string): ParametersParameter | undefined => {
  const body = req.body as Parameters | undefined;
  if (body?.resourceType !== 'Parameters') throw new FhirError('invalid', { diagnostics: 'The body must be a Parameters resource', expression: ['resourceType'] });
  return body.parameter?.find((p) => p.name === name);
};
const at = (name: string): string[] => [`Parameters.parameter.where(name='${name}')`];
const actorOf = (ctx: RequestContext): string => ctx.principal.clientId;

/** The person id of a `Patient/{id}` reference parameter. */
function personParam(req: FhirRequest, name: string): string {
  const ref = param(req, name)?.valueReference?.reference;
  const m = ref ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  if (!m) throw new FhirError('invalid', { diagnostics: `Parameter '${name}' must be a reference Patient/{id} to a platform person`, expression: at(name) });
  return m[1];
}

export function identityOperations(index: PersonIndex, centralTenant: string): OperationDescriptor[] {
  const centralOnly = (ctx: RequestContext, op: string): void => {
    if (ctx.tenant !== centralTenant) throw new FhirError('unsupported', { diagnostics: `$${op} runs on the central base /fhir, against the person index` });
  };
  const parameters = (parts: ParametersParameter[]): FhirResponse => ({ status: 200, headers: {}, body: { resourceType: 'Parameters', parameter: parts } });

  const match: OperationDescriptor = {
    name: 'match',
    definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
    levels: ['type'],
    types: ['Patient'],
    methods: ['POST'],
    affectsState: false,
    handler: async (ctx, req, repo) => {
      centralOnly(ctx, 'match');
      const resource = param(req, 'resource')?.resource as Patient | undefined;
      if (resource?.resourceType !== 'Patient') throw new FhirError('invalid', { diagnostics: "Parameter 'resource' must carry a Patient", expression: at('resource') });
      const countParam = param(req, 'count');
      const count = countParam?.valueInteger ?? DEFAULT_COUNT;
      if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new FhirError('invalid', { diagnostics: `'count' must be an integer from 1 to ${MAX_COUNT}`, expression: at('count') });
      const onlyCertain = param(req, 'onlyCertainMatches')?.valueBoolean === true;
      const found = (await index.match(repo, resource)).filter((c) => !onlyCertain || c.outcome.grade === 'certain').slice(0, count);
      const persons = await Promise.all(found.map((c) => repo.read(centralTenant, 'Patient', c.personId)));
      const entries: BundleEntryOut[] = [];
      found.forEach((c, i) => {
        const stored = persons[i];
        if (!stored || stored.deleted) return;
        entries.push({
          fullUrl: `${ctx.base}/Patient/${c.personId}`,
          resource: JSON.parse(stored.content) as object,
          search: {
            mode: 'match',
            score: Number(c.outcome.probability.toFixed(6)),
            extension: [
              { url: MATCH_GRADE, valueCode: c.outcome.grade },
              {
                url: MATCH_EXPLANATION,
                extension: [
                  { url: 'weight', valueDecimal: Number(c.outcome.weight.toFixed(3)) },
                  { url: 'rule', valueString: c.outcome.rule },
                  { url: 'comparisons', valueString: explain(c.outcome.comparisons) },
                ],
              },
            ],
          },
        });
      });
      return { status: 200, headers: {}, body: bundle('searchset', entries, { total: entries.length }) };
    },
  };

  const review: OperationDescriptor = {
    name: 'review',
    definition: 'https://openscip.org/fhir/OperationDefinition/Task-review',
    levels: ['instance'],
    types: ['Task'],
    methods: ['POST'],
    affectsState: true,
    handler: async (ctx, req, repo) => {
      centralOnly(ctx, 'review');
      const decision = param(req, 'decision')?.valueCode;
      if (decision !== 'same-person' && decision !== 'different-people') {
        throw new FhirError('invalid', { diagnostics: "Parameter 'decision' must be valueCode 'same-person' or 'different-people'", expression: at('decision') });
      }
      const note = param(req, 'note')?.valueString;
      const task = await repo.transaction((tx) => index.reviews.decide(tx, req.path[1], decision as ReviewDecision, actorOf(ctx), note));
      return { status: 200, headers: {}, body: task as object as FhirResponse['body'] };
    },
  };

  const merge: OperationDescriptor = {
    name: 'merge',
    definition: 'https://openscip.org/fhir/OperationDefinition/Patient-merge',
    levels: ['type'],
    types: ['Patient'],
    methods: ['POST'],
    affectsState: true,
    handler: async (ctx, req, repo) => {
      centralOnly(ctx, 'merge');
      const source = personParam(req, 'source-patient');
      const target = personParam(req, 'target-patient');
      const reason = param(req, 'reason')?.valueString;
      const m = await repo.transaction((tx) => index.merges.merge(tx, target, source, actorOf(ctx), reason));
      const result = await repo.read(centralTenant, 'Patient', target);
      return parameters([
        { name: 'merge', valueString: m.id },
        { name: 'moved', valueInteger: m.moved.length },
        ...(result ? [{ name: 'result', resource: JSON.parse(result.content) as Patient }] : []),
      ]);
    },
  };

  const unmerge: OperationDescriptor = {
    name: 'unmerge',
    definition: 'https://openscip.org/fhir/OperationDefinition/Patient-unmerge',
    levels: ['instance'],
    types: ['Patient'],
    methods: ['POST'],
    affectsState: true,
    handler: async (ctx, req, repo) => {
      centralOnly(ctx, 'unmerge');
      const m = await repo.transaction((tx) => index.merges.unmerge(tx, req.path[1], actorOf(ctx)));
      const restored = await repo.read(centralTenant, 'Patient', m.merged);
      return parameters([
        { name: 'merge', valueString: m.id },
        { name: 'restored', valueInteger: m.moved.length },
        ...(restored ? [{ name: 'result', resource: JSON.parse(restored.content) as Patient }] : []),
      ]);
    },
  };

  return [match, review, merge, unmerge];
}
