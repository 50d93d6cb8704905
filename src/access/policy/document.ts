// The access policy as data: a JSON document, stored versioned (store/policy.ts), checked here before it
// is accepted. Rules permit (or deny) roles an interaction on resource types, up to a set of sensitivity
// labels, for some purposes of use, with or without a legitimate relationship to the person.
import { FhirError } from '../../fhir/errors.js';
import type { IssueInput } from '../../fhir/errors.js';
import { isLabel, LABELS } from './labels.js';
import type { Label } from './labels.js';

/** Why the caller is asking (HL7 PurposeOfUse TREAT / ETREAT, and safeguarding). */
export const PURPOSES = ['direct-care', 'safeguarding', 'break-glass'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Interactions a rule names: the REST ones, or an operation by its `$name`; `*` is every one. */
export const INTERACTIONS = ['read', 'search', 'history', 'create', 'update', 'delete'] as const;
export type Interaction = (typeof INTERACTIONS)[number] | `$${string}`;

export interface PolicyRule {
  /** Named in every decision and audit record the rule makes. */
  id: string;
  description?: string;
  effect: 'permit' | 'deny';
  roles: string[];
  /** Resource types, or `*`. */
  types: string[];
  interactions: (Interaction | '*')[];
  /** The labels the rule lets the caller see and write (permit rules). */
  labels: Label[];
  /** Purposes of use the rule applies to; all when absent. */
  purposes?: Purpose[];
  /** Whether the caller's organisation must have a legitimate relationship with the person (default true). */
  relationship?: boolean;
}

export interface PolicyDocument {
  description?: string;
  /** The label of a resource that carries none: by type, else `otherwise`. */
  labels: { otherwise: Label } & Partial<Record<Label, string[]>>;
  rules: PolicyRule[];
  breakGlass: {
    /** Roles that may break the glass (waives relationship and consent, never labels). */
    roles: string[];
    /** Longest a break-glass grant lasts. */
    maxMinutes: number;
  };
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');

/** Checks a policy document; throws FhirError('invalid') naming every problem and where it is. */
export function checkPolicy(input: unknown, knownTypes: ReadonlySet<string>): PolicyDocument {
  const issues: IssueInput[] = [];
  const problem = (expression: string, diagnostics: string): void => void issues.push({ expression, diagnostics });
  const doc = input as Partial<PolicyDocument> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FhirError('invalid', { diagnostics: 'A policy is a JSON object with labels, rules and breakGlass' });
  const labels = doc.labels as Record<string, unknown> | undefined;
  if (typeof labels !== 'object' || labels === null) problem('labels', 'labels is required: { "otherwise": label, "<label>": [types] }');
  else {
    if (!isLabel(labels.otherwise)) problem('labels.otherwise', `labels.otherwise must be one of ${LABELS.join(', ')}`);
    for (const [key, types] of Object.entries(labels)) {
      if (key === 'otherwise') continue;
      if (!isLabel(key)) problem(`labels.${key}`, `'${key}' is not a sensitivity label (${LABELS.join(', ')})`);
      else if (!isStringList(types)) problem(`labels.${key}`, `labels.${key} must be a list of resource types`);
      else types.forEach((t, i) => knownTypes.has(t) || problem(`labels.${key}[${i}]`, `'${t}' is not an R4 resource type`));
    }
  }
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) problem('rules', 'rules must be a non-empty list');
  const ids = new Set<string>();
  (Array.isArray(doc.rules) ? doc.rules : []).forEach((rule: Partial<PolicyRule>, i) => {
    const at = `rules[${i}]`;
    if (typeof rule !== 'object' || rule === null) return problem(at, 'a rule is an object');
    if (typeof rule.id !== 'string' || !rule.id) problem(`${at}.id`, 'id is required');
    else if (ids.has(rule.id)) problem(`${at}.id`, `id '${rule.id}' is used twice`);
    else ids.add(rule.id);
    if (rule.effect !== 'permit' && rule.effect !== 'deny') problem(`${at}.effect`, "effect must be 'permit' or 'deny'");
    if (!isStringList(rule.roles) || rule.roles.length === 0) problem(`${at}.roles`, 'roles must be a non-empty list of role names');
    if (!isStringList(rule.types) || rule.types.length === 0) problem(`${at}.types`, "types must be a non-empty list of resource types (or '*')");
    else rule.types.forEach((t, j) => t === '*' || knownTypes.has(t) || problem(`${at}.types[${j}]`, `'${t}' is not an R4 resource type`));
    if (!isStringList(rule.interactions) || rule.interactions.length === 0) problem(`${at}.interactions`, 'interactions must be a non-empty list');
    else {
      rule.interactions.forEach((x, j) => {
        if (x !== '*' && !(INTERACTIONS as readonly string[]).includes(x) && !/^\$[a-z][a-z-]*$/.test(x)) problem(`${at}.interactions[${j}]`, `'${x}' is not an interaction (${INTERACTIONS.join(', ')}, $operation or *)`);
      });
    }
    if (rule.effect === 'permit' || rule.labels !== undefined) {
      if (!isStringList(rule.labels)) problem(`${at}.labels`, 'labels must be a list of sensitivity labels');
      else rule.labels.forEach((l, j) => isLabel(l) || problem(`${at}.labels[${j}]`, `'${l}' is not a sensitivity label (${LABELS.join(', ')})`));
    }
    if (rule.purposes !== undefined) {
      if (!isStringList(rule.purposes)) problem(`${at}.purposes`, 'purposes must be a list');
      else rule.purposes.forEach((p, j) => (PURPOSES as readonly string[]).includes(p) || problem(`${at}.purposes[${j}]`, `'${p}' is not a purpose of use (${PURPOSES.join(', ')})`));
    }
    if (rule.relationship !== undefined && typeof rule.relationship !== 'boolean') problem(`${at}.relationship`, 'relationship is true or false');
  });
  const bg = doc.breakGlass as Partial<PolicyDocument['breakGlass']> | undefined;
  if (typeof bg !== 'object' || bg === null) problem('breakGlass', 'breakGlass is required: { "roles": [...], "maxMinutes": n }');
  else {
    if (!Array.isArray(bg.roles) || !bg.roles.every((r) => typeof r === 'string')) problem('breakGlass.roles', 'breakGlass.roles must be a list of role names');
    if (typeof bg.maxMinutes !== 'number' || !Number.isInteger(bg.maxMinutes) || bg.maxMinutes < 1 || bg.maxMinutes > 24 * 60) problem('breakGlass.maxMinutes', 'breakGlass.maxMinutes must be a whole number of minutes from 1 to 1440');
  }
  if (issues.length) throw new FhirError('invalid', issues);
  return doc as PolicyDocument;
}
