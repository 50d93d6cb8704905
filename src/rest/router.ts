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
import type { AccessRequest, ScopeAccess } from '../fhir/context.js';
import type { FhirRequest, FhirResponse, HttpMethod, InteractionHandler, RequestContext, RestServices } from './types.js';

/** The type named in access requests that concern every type (system-level interactions): policy rules for `*` match it. */
const ANY_TYPE = '*';

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

/** A handler and the access it needs (undefined for metadata, batches — whose entries are checked one by one — and operations that decide their own). */
interface Resolved {
  handler: InteractionHandler;
  access?: AccessRequest;
}

export function createRouter(services: RestServices, extraOperations: readonly OperationDescriptor[] = []): FhirRouter {
  const operations = [...CORE_OPERATIONS, ...extraOperations];
  const metadata = capabilities(operations);
  const byMethod = (method: HttpMethod, path: string[], table: Partial<Record<HttpMethod, [InteractionHandler, string, ScopeAccess] | InteractionHandler>>, type: string): Resolved => {
    const entry = table[method === 'HEAD' ? 'GET' : method];
    if (!entry) throw notAllowed(method, path);
    if (typeof entry === 'function') return { handler: entry };
    const [handler, interaction, access] = entry;
    return { handler, access: { interaction, type, access } };
  };

  const operation = (req: FhirRequest, level: 'system' | 'type' | 'instance', name: string): Resolved => {
    const type = level === 'system' ? undefined : req.path[0];
    const op = operations.find((o) => o.name === name.slice(1) && o.levels.includes(level) && (!type || !o.types || o.types.includes(type)));
    if (!op) throw new FhirError('not-found', { diagnostics: `Operation ${name} is not supported at ${level} level${type ? ` on ${type}` : ''}`, code: 'not-supported' });
    if (!op.methods.includes(req.method)) throw notAllowed(req.method, req.path);
    if (op.decidesOwnAccess) return { handler: op.handler };
    const access: ScopeAccess = op.affectsState ? 'u' : level === 'instance' ? 'r' : 's';
    return { handler: op.handler, access: { interaction: name, type: type ?? ANY_TYPE, access } };
  };

  const resolve = (req: FhirRequest): Resolved => {
    const p = req.path;
    const conditional = req.query.length > 0;
    switch (p.length) {
      case 0:
        return byMethod(req.method, p, { POST: bundleHandler(dispatch) }, ANY_TYPE);
      case 1:
        if (p[0] === 'metadata') return byMethod(req.method, p, { GET: metadata }, ANY_TYPE);
        if (p[0] === '_history') return byMethod(req.method, p, { GET: [historySystem, 'history', 'r'] }, ANY_TYPE);
        if (p[0].startsWith('$')) return operation(req, 'system', p[0]);
        return byMethod(req.method, p, {
          GET: [searchType, 'search', 's'],
          POST: [create, 'create', 'c'],
          PUT: conditional ? [conditionalUpdate, 'update', 'u'] : undefined,
          DELETE: conditional ? [conditionalDelete, 'delete', 'd'] : undefined,
          PATCH: conditional ? [conditionalPatch, 'update', 'u'] : undefined,
        }, p[0]);
      case 2:
        if (p[1] === '_search') return byMethod(req.method, p, { POST: [searchType, 'search', 's'] }, p[0]);
        if (p[1] === '_history') return byMethod(req.method, p, { GET: [historyType, 'history', 'r'] }, p[0]);
        if (p[1].startsWith('$')) return operation(req, 'type', p[1]);
        return byMethod(req.method, p, { GET: [read, 'read', 'r'], PUT: [update, 'update', 'u'], PATCH: [patch, 'update', 'u'], DELETE: [deleteInstance, 'delete', 'd'] }, p[0]);
      case 3:
        if (p[2] === '_history') return byMethod(req.method, p, { GET: [historyInstance, 'history', 'r'] }, p[0]);
        if (p[2].startsWith('$')) return operation(req, 'instance', p[2]);
        break;
      case 4:
        if (p[2] === '_history') return byMethod(req.method, p, { GET: [vread, 'read', 'r'] }, p[0]);
        break;
    }
    throw new FhirError('not-found', { diagnostics: `No FHIR interaction at /${p.join('/')}` });
  };

  async function dispatch(ctx: RequestContext, req: FhirRequest, repo: Repository): Promise<FhirResponse> {
    const { handler, access } = resolve(req);
    return handler(access ? { ...ctx, grant: ctx.access.authorise(access) } : ctx, req, repo, services);
  }

  return { handle: dispatch, operations };
}
