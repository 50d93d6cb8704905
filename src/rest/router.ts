// Dispatches a FhirRequest to its interaction (R4 http.html): the URL shape and method pick one handler.
import { FhirError } from '../fhir/errors.js';
import type { Repository } from '../store/index.js';
import { capabilities } from './interactions/capabilities.js';
import { create } from './interactions/create.js';
import { conditionalDelete, deleteInstance } from './interactions/delete.js';
import { historyInstance, historySystem, historyType } from './interactions/history.js';
import { conditionalPatch, patch } from './interactions/patch.js';
import { read } from './interactions/read.js';
import { searchType } from './interactions/search-type.js';
import { bundleHandler } from './interactions/transaction.js';
import { conditionalUpdate, update } from './interactions/update.js';
import { validateOperation } from './interactions/validate.js';
import { vread } from './interactions/vread.js';
import type { OperationDescriptor } from './operations.js';
import type { FhirRequest, FhirResponse, HttpMethod, InteractionHandler, RequestContext, RestServices } from './types.js';

export const CORE_OPERATIONS: readonly OperationDescriptor[] = [
  {
    name: 'validate',
    definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
    levels: ['type', 'instance'],
    methods: ['POST'],
    affectsState: false,
    handler: validateOperation,
  },
];

export interface FhirRouter {
  handle(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<FhirResponse>;
  readonly operations: readonly OperationDescriptor[];
}

const notAllowed = (method: string, path: string[]): FhirError =>
  new FhirError('unsupported', { diagnostics: `${method} is not supported on /${path.join('/')}` });

export function createRouter(services: RestServices, extraOperations: readonly OperationDescriptor[] = []): FhirRouter {
  const operations = [...CORE_OPERATIONS, ...extraOperations];
  const metadata = capabilities(operations);
  const byMethod = (method: HttpMethod, path: string[], table: Partial<Record<HttpMethod, InteractionHandler>>): InteractionHandler => {
    const handler = table[method === 'HEAD' ? 'GET' : method];
    if (!handler) throw notAllowed(method, path);
    return handler;
  };

  const operation = (req: FhirRequest, level: 'system' | 'type' | 'instance', name: string): InteractionHandler => {
    const type = level === 'system' ? undefined : req.path[0];
    const op = operations.find((o) => o.name === name.slice(1) && o.levels.includes(level) && (!type || !o.types || o.types.includes(type)));
    if (!op) throw new FhirError('not-found', { diagnostics: `Operation ${name} is not supported at ${level} level${type ? ` on ${type}` : ''}`, code: 'not-supported' });
    if (!op.methods.includes(req.method)) throw notAllowed(req.method, req.path);
    return op.handler;
  };

  const resolve = (req: FhirRequest): InteractionHandler => {
    const p = req.path;
    const conditional = req.query.length > 0;
    switch (p.length) {
      case 0:
        return byMethod(req.method, p, { POST: bundleHandler(dispatch) });
      case 1:
        if (p[0] === 'metadata') return byMethod(req.method, p, { GET: metadata });
        if (p[0] === '_history') return byMethod(req.method, p, { GET: historySystem });
        if (p[0].startsWith('$')) return operation(req, 'system', p[0]);
        return byMethod(req.method, p, {
          GET: searchType,
          POST: create,
          PUT: conditional ? conditionalUpdate : undefined,
          DELETE: conditional ? conditionalDelete : undefined,
          PATCH: conditional ? conditionalPatch : undefined,
        });
      case 2:
        if (p[1] === '_search') return byMethod(req.method, p, { POST: searchType });
        if (p[1] === '_history') return byMethod(req.method, p, { GET: historyType });
        if (p[1].startsWith('$')) return operation(req, 'type', p[1]);
        return byMethod(req.method, p, { GET: read, PUT: update, PATCH: patch, DELETE: deleteInstance });
      case 3:
        if (p[2] === '_history') return byMethod(req.method, p, { GET: historyInstance });
        if (p[2].startsWith('$')) return operation(req, 'instance', p[2]);
        break;
      case 4:
        if (p[2] === '_history') return byMethod(req.method, p, { GET: vread });
        break;
    }
    throw new FhirError('not-found', { diagnostics: `No FHIR interaction at /${p.join('/')}` });
  };

  async function dispatch(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<FhirResponse> {
    return resolve(req)(ctx, req, repo, services);
  }

  return { handle: dispatch, operations };
}
