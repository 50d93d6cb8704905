// Policy decisions: which rules of the current policy apply to a caller's roles, purpose, interaction
// and resource type, and what they allow — the labels the caller may see and whether a legitimate
// relationship with the person is needed. Deny rules win; nothing is permitted that no rule permits.
// Decisions are pure functions of the document and memoised.
import type { PolicyDocument, PolicyRule, Purpose } from './document.js';
import { LabelSet } from './labels.js';
import type { Label, LabelDefaults } from './labels.js';

export interface DecisionRequest {
  roles: readonly string[];
  purpose: Purpose;
  /** A REST interaction or `$operation`. */
  interaction: string;
  type: string;
}

export type Decision =
  | { permitted: true; labels: LabelSet; relationship: boolean; rules: readonly string[] }
  | { permitted: false; reason: string; rules: readonly string[] };

export class PolicyEngine {
  readonly labelDefaults: LabelDefaults;
  private readonly decisions = new Map<string, Decision>();

  constructor(
    readonly document: PolicyDocument,
    /** The stored version this engine runs (named in audit records). */
    readonly version: number,
  ) {
    const byType = new Map<string, Label>();
    for (const [label, types] of Object.entries(document.labels)) {
      if (label !== 'otherwise' && Array.isArray(types)) for (const t of types) byType.set(t, label as Label);
    }
    this.labelDefaults = { otherwise: document.labels.otherwise, byType };
  }

  decide(request: DecisionRequest): Decision {
    const key = `${[...request.roles].sort().join(' ')}|${request.purpose}|${request.interaction}|${request.type}`;
    let decision = this.decisions.get(key);
    if (!decision) this.decisions.set(key, (decision = this.evaluate(request)));
    return decision;
  }

  /** Whether a role may break the glass. */
  mayBreakGlass(roles: readonly string[]): boolean {
    return roles.some((r) => this.document.breakGlass.roles.includes(r));
  }

  private evaluate(request: DecisionRequest): Decision {
    const applies = (rule: PolicyRule): boolean =>
      rule.roles.some((r) => request.roles.includes(r)) &&
      (rule.types.includes('*') || rule.types.includes(request.type)) &&
      (rule.interactions.includes('*') || (rule.interactions as readonly string[]).includes(request.interaction)) &&
      (!rule.purposes || rule.purposes.includes(request.purpose));
    const matching = this.document.rules.filter(applies);
    const deny = matching.find((r) => r.effect === 'deny');
    if (deny) return { permitted: false, reason: `policy rule '${deny.id}' denies it`, rules: [deny.id] };
    const permits = matching.filter((r) => r.effect === 'permit');
    if (!permits.length) {
      const who = request.roles.length ? `role${request.roles.length > 1 ? 's' : ''} ${request.roles.join(', ')}` : 'a caller without roles';
      return { permitted: false, reason: `no policy rule permits ${who} to ${request.interaction} ${request.type} for the purpose ${request.purpose}`, rules: [] };
    }
    return {
      permitted: true,
      labels: new LabelSet(new Set(permits.flatMap((r) => r.labels))),
      relationship: permits.every((r) => r.relationship !== false),
      rules: permits.map((r) => r.id),
    };
  }
}
