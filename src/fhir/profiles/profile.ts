// Profiles as data: each is a base type plus rules, checked against a resource that names the
// profile in meta.profile. Rules report the exact element path of each problem.
import type { OperationOutcomeIssue, Resource } from '../types.js';

export interface ProfileRule {
  /** Short key, as FHIR invariants have (`ukc-pat-1`). */
  key: string;
  /** What the rule requires, in words (shown in docs and in each issue). */
  human: string;
  check(resource: Record<string, unknown>, report: (path: string, diagnostics: string) => void): void;
}

export interface ProfileDefinition {
  url: string;
  name: string;
  title: string;
  type: string;
  rules: readonly ProfileRule[];
}

export function checkProfile(profile: ProfileDefinition, resource: Resource): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  if (resource.resourceType !== profile.type) {
    return [{ severity: 'error', code: 'invalid', diagnostics: `${profile.title} applies to ${profile.type}, not ${resource.resourceType}`, expression: ['meta.profile'] }];
  }
  for (const rule of profile.rules) {
    rule.check(resource as unknown as Record<string, unknown>, (path, diagnostics) =>
      issues.push({ severity: 'error', code: 'invariant', diagnostics: `${profile.name} ${rule.key}: ${diagnostics}`, expression: [path] }),
    );
  }
  return issues;
}

/** Visits every object in a resource with its FHIRPath-style location (`Patient.identifier[0]`). */
export function walk(node: unknown, path: string, visit: (obj: Record<string, unknown>, path: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  visit(obj, path);
  for (const [key, value] of Object.entries(obj)) if (typeof value === 'object') walk(value, `${path}.${key}`, visit);
}
