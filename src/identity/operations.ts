// The identity operations on the central base: Patient/$match (FHIR R4), Task/{id}/$review (answer a
// review task), Patient/$merge and Patient/{id}/$unmerge. Each is one transaction.
import type { ParametersParameter, Patient } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/errors.js';
import { bundle } from '../rest/bundle.js';
import type { BundleEntryOut } from '../rest/bundle.js';
import type { OperationDescriptor } from '../rest/operations.js';
import { parameter, parameterPath } from '../rest/parameters.js';
import type { FhirRequest, FhirResponse, RequestContext } from '../rest/types.js';
import type { PersonIndex } from './person-index.js';
import { explain } from './model.js';
import type { ReviewDecision } from './review.js';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';
const MATCH_EXPLANATION = 'https://openscip.org/fhir/StructureDefinition/match-explanation';
const DEFAULT_COUNT = 10;
const MAX_COUNT = 100;

const actorOf = (ctx: RequestContext): string => ctx.principal.clientId;

/** The person id of a `Patient/{id}` reference parameter. */
function personParam(req: FhirRequest, name: string): string {
  const ref = parameter(req, name)?.valueReference?.reference;
  const m = ref ? /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  if (!m) throw new FhirError('invalid', { diagnostics: `Parameter '${name}' must be a reference Patient/{id} to a platform person`, expression: parameterPath(name) });
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
      const resource = parameter(req, 'resource')?.resource as Patient | undefined;
      if (resource?.resourceType !== 'Patient') throw new FhirError('invalid', { diagnostics: "Parameter 'resource' must carry a Patient", expression: parameterPath('resource') });
      const countParam = parameter(req, 'count');
      const count = countParam?.valueInteger ?? DEFAULT_COUNT;
      if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new FhirError('invalid', { diagnostics: `'count' must be an integer from 1 to ${MAX_COUNT}`, expression: parameterPath('count') });
      const onlyCertain = parameter(req, 'onlyCertainMatches')?.valueBoolean === true;
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
      const decision = parameter(req, 'decision')?.valueCode;
      if (decision !== 'same-person' && decision !== 'different-people') {
        throw new FhirError('invalid', { diagnostics: "Parameter 'decision' must be valueCode 'same-person' or 'different-people'", expression: parameterPath('decision') });
      }
      const note = parameter(req, 'note')?.valueString;
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
      const reason = parameter(req, 'reason')?.valueString;
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
