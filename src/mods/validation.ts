// Turns schema problems into OperationOutcome issues whose expression is the MODS path, e.g.
// `alert.status: required` → { expression: ['alert.status'], diagnostics: 'required' }.
import type { z } from 'zod';
import type { IssueInput } from '../fhir/errors.js';

export function modsPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : `${out}.${String(p)}`), root);
}

export function toIssues(root: string, error: z.ZodError): IssueInput[] {
  return error.issues.flatMap((issue): IssueInput[] => {
    const at = modsPath(root, issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ expression: `${at}.${k}`, diagnostics: `${at}.${k}: not a MODS element of ${at}`, code: 'structure' }));
    }
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const message = missing ? 'required' : issue.code === 'invalid_type' ? `must be ${issue.expected}` : issue.message;
    return [{ expression: at, diagnostics: `${at}: ${message}`, code: missing ? 'required' : issue.code === 'custom' ? 'business-rule' : 'value' }];
  });
}
