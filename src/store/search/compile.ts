// Compiles a SearchRequest into one SQL statement over the index tables: each selective filter reads
// the ids it matches from its covering index and those id sets intersect (decision 0018); any other
// filter becomes an EXISTS on its table; chains and _has nest, sorting and keyset paging are part of
// the statement.
import { FhirError } from '../../fhir/errors.js';
import type { Filter, ParamFilter, SearchRequest, SortRule } from '../../fhir/search/types.js';
import type { ReferenceValue, SearchValue } from '../../fhir/search/values.js';
import { compositeCondition, PARAM_TYPES } from './params/index.js';
import { lazyRange, rangeCondition } from './params/ranges.js';
import { SECURITY_PARAM } from './registry.js';
import type { ParamRegistry } from './registry.js';
import { isSelective } from './selectivity.js';
import type { Selectivity } from './selectivity.js';
import { SqlParams, tableColumns } from './sql.js';

/** SQL expressions naming one resource: the main row, a reference target, or a _has source. */
interface ResourceRef {
  tenant: string;
  type: string;
  id: string;
}

export interface CompileContext {
  registry: ParamRegistry;
  /** Absolute base URLs that denote this server, so `subject=http://us/fhir/Patient/1` matches `Patient/1`. */
  localBases: readonly string[];
  /** Extra WHERE conditions on `r` (access policy, consent) added by callers. */
  extraConditions?: ((params: SqlParams) => string)[];
  /** Which values are common (the planner's statistics); without it every value counts as rare. */
  selectivity?: Selectivity;
}

export interface Keyset {
  keys: (string | null)[];
  id: string;
}

export interface CompiledSearch {
  text: string;
  params: unknown[];
  sortKeyCount: number;
}

class Compiler {
  private aliasCounter = 0;
  constructor(
    readonly params: SqlParams,
    readonly ctx: CompileContext,
  ) {}

  alias(prefix: string): string {
    return `${prefix}${this.aliasCounter++}`;
  }

  filter(f: Filter, resourceType: string, res: ResourceRef): string {
    switch (f.kind) {
      case 'param':
        return this.paramFilter(f, resourceType, res);
      case 'chain': {
        const ref = this.alias('c');
        const branches = f.targets.map((t) => {
          const type = this.params.bind(t.resourceType);
          const next = this.filter(t.next, t.resourceType, { tenant: `${ref}.tenant`, type, id: `${ref}.target_id` });
          return `(${ref}.target_type = ${type} AND ${next})`;
        });
        return (
          `EXISTS (SELECT 1 FROM sp_reference ${ref} WHERE ${ref}.tenant = ${res.tenant} AND ${ref}.rtype = ${res.type} ` +
          `AND ${ref}.rid = ${res.id} AND ${ref}.code = ${this.params.bind(f.code)} AND (${branches.join(' OR ')}))`
        );
      }
      case 'has': {
        const ref = this.alias('h');
        const source = this.params.bind(f.sourceType);
        const next = this.filter(f.next, f.sourceType, { tenant: `${ref}.tenant`, type: source, id: `${ref}.rid` });
        return (
          `EXISTS (SELECT 1 FROM sp_reference ${ref} WHERE ${ref}.tenant = ${res.tenant} AND ${ref}.rtype = ${source} ` +
          `AND ${ref}.code = ${this.params.bind(f.referenceCode)} AND ${ref}.target_type = ${res.type} AND ${ref}.target_id = ${res.id} AND ${next})`
        );
      }
    }
  }

  private paramFilter(f: ParamFilter, resourceType: string, res: ResourceRef): string {
    if (f.code === '_id') return this.rowFilter(f, res, (row) => this.idCondition(f, `${row}.id`));
    if (f.code === '_lastUpdated') return this.rowFilter(f, res, (row) => this.lastUpdatedCondition(f, row));
    const labels = exactTokens(f);
    if (f.code === SECURITY_PARAM && labels) {
      return this.rowFilter(f, res, (row) => {
        const carries = `coalesce(${row}.security && ${this.params.bind(labels)}::text[], false)`;
        return f.modifier === 'not' ? `NOT ${carries}` : carries;
      });
    }
    const indexed = this.ctx.registry.get(resourceType, f.code);
    if (!indexed) throw new FhirError('invalid', { diagnostics: `Search parameter '${f.code}' is not indexed for ${resourceType}`, expression: f.code });
    const t = this.alias('t');
    const owner =
      `SELECT 1 FROM ${indexed.table} ${t} WHERE ${t}.tenant = ${res.tenant} AND ${t}.rtype = ${res.type} ` +
      `AND ${t}.rid = ${res.id} AND ${t}.code = ${this.params.bind(f.code)}`;
    if (f.missing !== undefined) return `${f.missing ? 'NOT ' : ''}EXISTS (${owner})`;
    const cols = tableColumns(t);
    const match = f.values
      .map((v) => {
        if (indexed.components) return `(${compositeCondition(v, indexed.components, cols, this.params)})`;
        const modifier = f.modifier === 'not' ? undefined : f.modifier;
        return `(${(indexed.paramType ?? PARAM_TYPES.string).condition(this.localise(v), cols, this.params, modifier)})`;
      })
      .join(' OR ');
    return f.modifier === 'not' ? `NOT EXISTS (${owner} AND (${match}))` : `EXISTS (${owner} AND (${match}))`;
  }

  /**
   * The ids a selective single-valued filter matches, read from its value index alone (it INCLUDEs the
   * id); undefined when the filter is not one (several values, a modifier, `:missing`, a common value).
   */
  idSet(f: ParamFilter, resourceType: string, res: ResourceRef): string | undefined {
    if (f.values.length !== 1 || f.modifier !== undefined || f.missing !== undefined || f.code.startsWith('_')) return undefined;
    const indexed = this.ctx.registry.get(resourceType, f.code);
    if (!indexed?.paramType) return undefined;
    const value = this.localise(f.values[0]);
    if (!isSelective(indexed.table, value, this.ctx.selectivity)) return undefined;
    const t = this.alias('t');
    return (
      `SELECT ${t}.rid FROM ${indexed.table} ${t} WHERE ${t}.tenant = ${res.tenant} AND ${t}.rtype = ${res.type} ` +
      `AND ${t}.code = ${this.params.bind(f.code)} AND (${indexed.paramType.condition(value, tableColumns(t), this.params)})`
    );
  }

  /** `_id` and `_lastUpdated` are columns of the resource row; outside the main query, join it. */
  private rowFilter(f: ParamFilter, res: ResourceRef, condition: (row: string) => string): string {
    if (res.id === 'r.id') return condition('r');
    const x = this.alias('x');
    return `EXISTS (SELECT 1 FROM resource ${x} WHERE ${x}.tenant = ${res.tenant} AND ${x}.type = ${res.type} AND ${x}.id = ${res.id} AND NOT ${x}.deleted AND ${condition(x)})`;
  }

  private idCondition(f: ParamFilter, column: string): string {
    if (f.missing !== undefined) return f.missing ? 'FALSE' : 'TRUE';
    const ids = f.values.map((v) => (v.type === 'token' ? (v.code ?? '') : ''));
    const cond = `${column} = ANY(${this.params.bind(ids)}::text[])`;
    return f.modifier === 'not' ? `NOT (${cond})` : cond;
  }

  private lastUpdatedCondition(f: ParamFilter, row: string): string {
    if (f.missing !== undefined) return f.missing ? 'FALSE' : 'TRUE';
    const target = { lo: `${row}.last_updated`, hi: `(${row}.last_updated + interval '1 millisecond')` };
    return f.values
      .map((v) => {
        if (v.type !== 'date') throw new Error('_lastUpdated expects a date');
        const ts = (ms: unknown): string => `to_timestamp(${this.params.bind(ms)}::double precision / 1000)`;
        return `(${rangeCondition(v.prefix, target, lazyRange(ts, v.lo, v.hi))})`;
      })
      .join(' OR ');
  }

  /** Absolute references to this server's own base search as relative ones. */
  private localise(v: SearchValue): SearchValue {
    if (v.type !== 'reference' || !v.url) return v;
    const local = this.ctx.localBases.some((b) => v.url?.startsWith(`${b}/`));
    return local && v.resourceType && v.id ? ({ type: 'reference', resourceType: v.resourceType, id: v.id } satisfies ReferenceValue) : v;
  }

  sortExpression(rule: SortRule, resourceType: string): string {
    if (rule.code === '_id') return 'r.id';
    if (rule.code === '_lastUpdated') return 'r.last_updated';
    const indexed = this.ctx.registry.get(resourceType, rule.code);
    if (!indexed?.paramType) throw new FhirError('invalid', { diagnostics: `Cannot sort by '${rule.code}'`, expression: '_sort' });
    const t = this.alias('s');
    const agg = rule.descending ? 'max' : 'min';
    return (
      `(SELECT ${agg}(${indexed.paramType.sortColumn(tableColumns(t))}) FROM ${indexed.table} ${t} WHERE ${t}.tenant = r.tenant ` +
      `AND ${t}.rtype = r.type AND ${t}.rid = r.id AND ${t}.code = ${this.params.bind(rule.code)})`
    );
  }
}

/** `system|code` of every value, when each names both and the filter is plain or `:not`; otherwise undefined. */
function exactTokens(f: ParamFilter): string[] | undefined {
  if (f.missing !== undefined || (f.modifier !== undefined && f.modifier !== 'not')) return undefined;
  const tokens = f.values.map((v) => (v.type === 'token' && v.system !== undefined && v.code !== undefined ? `${v.system}|${v.code}` : undefined));
  return tokens.every((t): t is string => t !== undefined) ? tokens : undefined;
}

function whereClause(c: Compiler, request: SearchRequest, tenant: string): string {
  const res: ResourceRef = { tenant: c.params.bind(tenant), type: c.params.bind(request.resourceType), id: 'r.id' };
  const conditions = [`r.tenant = ${res.tenant}`, `r.type = ${res.type}`, 'NOT r.deleted'];
  const idSets: string[] = [];
  for (const f of request.filters) {
    const ids = f.kind === 'param' ? c.idSet(f, request.resourceType, res) : undefined;
    if (ids) idSets.push(ids);
    else conditions.push(c.filter(f, request.resourceType, res));
  }
  if (idSets.length) conditions.push(`r.id IN (${idSets.join(' INTERSECT ')})`);
  for (const extra of c.ctx.extraConditions ?? []) conditions.push(`(${extra(c.params)})`);
  return conditions.join(' AND ');
}

/** Rows after the keyset in ORDER BY order (NULLS LAST in both directions), id ascending last. */
function keysetCondition(params: SqlParams, sort: SortRule[], keyset: Keyset): string {
  let condition = `x.id > ${params.bind(keyset.id)}`;
  for (let i = sort.length - 1; i >= 0; i--) {
    const value = keyset.keys[i];
    const column = `x.s${i}`;
    if (value === null) {
      condition = `(${column} IS NULL AND ${condition})`;
      continue;
    }
    const p = params.bind(value);
    const after = sort[i].descending ? `${column} < ${p}` : `${column} > ${p}`;
    condition = `(${after} OR ${column} IS NULL OR (${column} = ${p} AND ${condition}))`;
  }
  return condition;
}

export function compileSearch(ctx: CompileContext, tenant: string, request: SearchRequest, keyset?: Keyset): CompiledSearch {
  const params = new SqlParams();
  const c = new Compiler(params, ctx);
  const sort = request.sort;
  const sortColumns = sort.map((rule, i) => `${c.sortExpression(rule, request.resourceType)} AS s${i}`);
  const where = whereClause(c, request, tenant);
  const inner = `SELECT r.id, r.content${sortColumns.map((s) => `, ${s}`).join('')} FROM resource r WHERE ${where}`;
  const order = [...sort.map((rule, i) => `x.s${i} ${rule.descending ? 'DESC' : 'ASC'} NULLS LAST`), 'x.id ASC'].join(', ');
  const keys = sort.map((_, i) => `, x.s${i}::text AS k${i}`).join('');
  const after = keyset ? ` WHERE ${keysetCondition(params, sort, keyset)}` : '';
  const limit = params.bind(request.count + 1);
  return {
    text: `SELECT x.id, x.content${keys} FROM (${inner}) x${after} ORDER BY ${order} LIMIT ${limit}`,
    params: params.values,
    sortKeyCount: sort.length,
  };
}

export function compileCount(ctx: CompileContext, tenant: string, request: SearchRequest): { text: string; params: unknown[] } {
  const params = new SqlParams();
  const where = whereClause(new Compiler(params, ctx), request, tenant);
  return { text: `SELECT count(*)::int AS total FROM resource r WHERE ${where}`, params: params.values };
}
