// A minimal parameter collector: every value reaches PostgreSQL as a bound parameter, never as text.
export class SqlParams {
  readonly values: unknown[] = [];

  /** Binds a value and returns its placeholder, e.g. `$3`. */
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Escapes LIKE wildcards so user text matches literally (with the default `\` escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Where a search-parameter type finds its logical columns: an index-table row (`t.value`) or a
 * component inside a composite row (`(t.parts->1->>'value')::numeric`).
 */
export type ColumnSource = (column: string) => string;

export const tableColumns =
  (alias: string): ColumnSource =>
  (column) =>
    `${alias}.${column}`;
