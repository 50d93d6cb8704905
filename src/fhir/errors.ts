// The one error type of domain code (style-anchors.md, "Error mapping"); http/ maps it to a status.
import type { OperationOutcome, OperationOutcomeIssue } from './types.js';

export type ErrorCategory =
  | 'invalid'
  | 'not-found'
  | 'gone'
  | 'conflict'
  | 'precondition-failed'
  | 'forbidden'
  | 'unauthorized'
  | 'unsupported'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'too-large'
  | 'unprocessable'
  | 'too-costly'
  | 'busy'
  | 'fault'
  /** Something this request depends on cannot be reached now (retry later). */
  | 'unavailable';

/** HTTP status for each category: the single table every response goes through. */
export const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  unsupported: 405,
  'not-acceptable': 406,
  conflict: 409,
  gone: 410,
  'precondition-failed': 412,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-costly': 422,
  busy: 429,
  fault: 500,
  unavailable: 503,
};

/** FHIR issue-type code used when an error does not name its own. */
const ISSUE_CODE_BY_CATEGORY: Record<ErrorCategory, OperationOutcomeIssue['code']> = {
  invalid: 'invalid',
  unauthorized: 'login',
  forbidden: 'forbidden',
  'not-found': 'not-found',
  unsupported: 'not-supported',
  'not-acceptable': 'not-supported',
  conflict: 'conflict',
  gone: 'deleted',
  'precondition-failed': 'conflict',
  'too-large': 'too-long',
  'unsupported-media-type': 'not-supported',
  unprocessable: 'processing',
  'too-costly': 'too-costly',
  busy: 'throttled',
  fault: 'exception',
  unavailable: 'transient',
};

export interface IssueInput {
  diagnostics: string;
  expression?: string | string[];
  code?: OperationOutcomeIssue['code'];
  severity?: OperationOutcomeIssue['severity'];
}

export class FhirError extends Error {
  readonly category: ErrorCategory;
  readonly issues: OperationOutcomeIssue[];
  readonly headers: Record<string, string>;

  constructor(category: ErrorCategory, issues: IssueInput | IssueInput[] | OperationOutcomeIssue[], headers: Record<string, string> = {}) {
    const list = (Array.isArray(issues) ? issues : [issues]).map((i) => toIssue(category, i));
    super(list.map((i) => i.diagnostics ?? i.details?.text).join('; '));
    this.name = 'FhirError';
    this.category = category;
    this.issues = list;
    this.headers = headers;
  }

  get status(): number {
    return STATUS_BY_CATEGORY[this.category];
  }

  toOutcome(): OperationOutcome {
    return { resourceType: 'OperationOutcome', issue: this.issues };
  }
}

function toIssue(category: ErrorCategory, input: IssueInput | OperationOutcomeIssue): OperationOutcomeIssue {
  const { expression, ...rest } = input;
  const issue: OperationOutcomeIssue = {
    severity: category === 'fault' ? 'fatal' : 'error',
    code: ISSUE_CODE_BY_CATEGORY[category],
    ...rest,
  };
  if (expression !== undefined) issue.expression = Array.isArray(expression) ? expression : [expression];
  return issue;
}

export const invalid = (diagnostics: string, expression?: string | string[]): FhirError =>
  new FhirError('invalid', { diagnostics, expression });
export const unprocessable = (issues: IssueInput | IssueInput[] | OperationOutcomeIssue[]): FhirError =>
  new FhirError('unprocessable', issues);
