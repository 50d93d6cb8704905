// Sensitivity labels: how sensitive a resource is, from its `meta.security`. Three levels the platform
// knows (administrative, clinical, restricted — the last for safeguarding and sealed records); a
// resource without one takes its type's default from the policy. The same rule is used three ways:
// on a resource in memory, as FHIR search parameters (compiled to SQL by the store or forwarded to a
// DPL), and in the policy document.
import type { Resource } from '../../fhir/types.js';

export const SENSITIVITY_SYSTEM = 'https://openscip.org/fhir/CodeSystem/sensitivity';
const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

export const LABELS = ['administrative', 'clinical', 'restricted'] as const;
export type Label = (typeof LABELS)[number];

export const isLabel = (code: unknown): code is Label => typeof code === 'string' && (LABELS as readonly string[]).includes(code);

/** HL7 confidentiality codes in our terms: restricted and very restricted are our restricted. */
const CONFIDENTIALITY: Record<string, Label> = { R: 'restricted', V: 'restricted' };

/** The labels a resource carries explicitly (ours, and HL7 confidentiality R/V as restricted). */
export function explicitLabels(resource: Resource): Label[] {
  const found = new Set<Label>();
  for (const c of resource.meta?.security ?? []) {
    if (c.system === SENSITIVITY_SYSTEM && isLabel(c.code)) found.add(c.code);
    else if (c.system === CONFIDENTIALITY_SYSTEM && c.code && CONFIDENTIALITY[c.code]) found.add(CONFIDENTIALITY[c.code]);
  }
  return [...found];
}

/** Which labels apply to a type's resources that carry none. */
export interface LabelDefaults {
  /** Label of a type not listed in `byType`. */
  otherwise: Label;
  byType: ReadonlyMap<string, Label>;
}

export const defaultLabel = (defaults: LabelDefaults, type: string): Label => defaults.byType.get(type) ?? defaults.otherwise;

/** The labels that decide who sees a resource: those it carries, or its type's default. */
export function effectiveLabels(defaults: LabelDefaults, resource: Resource): Label[] {
  const labels = explicitLabels(resource);
  return labels.length ? labels : [defaultLabel(defaults, resource.resourceType)];
}

/** A set of labels a caller may see: a resource is visible when every label it carries is in it. */
export class LabelSet {
  readonly all: boolean;
  constructor(readonly allowed: ReadonlySet<Label>) {
    this.all = LABELS.every((l) => allowed.has(l));
  }

  sees(defaults: LabelDefaults, resource: Resource): boolean {
    return this.all || effectiveLabels(defaults, resource).every((l) => this.allowed.has(l));
  }

  /**
   * The same rule as search parameters on one type: no label outside the set (HL7 restricted codes
   * included) and, when the type's default is outside it, an explicit label inside it.
   */
  searchParams(defaults: LabelDefaults, type: string): [string, string][] {
    if (this.all) return [];
    const denied = LABELS.filter((l) => !this.allowed.has(l));
    const tokens = (labels: readonly Label[]): string[] => labels.map((l) => `${SENSITIVITY_SYSTEM}|${l}`);
    const deniedTokens = [
      ...tokens(denied),
      ...Object.entries(CONFIDENTIALITY).filter(([, l]) => denied.includes(l)).map(([code]) => `${CONFIDENTIALITY_SYSTEM}|${code}`),
    ];
    const params: [string, string][] = [['_security:not', deniedTokens.join(',')]];
    if (!this.allowed.has(defaultLabel(defaults, type))) params.push(['_security', tokens([...this.allowed]).join(',') || `${SENSITIVITY_SYSTEM}|none`]);
    return params;
  }
}
