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

/**
 * The condition "column starts with prefix" as a range, which a btree index on a COLLATE "C"
 * column serves directly: [prefix, prefix with its last code point incremented).
 */
export function prefixRange(column: string, prefix: string, params: SqlParams): string {
  if (prefix === '') return 'TRUE';
  const chars = [...prefix];
  const last = chars.pop() as string;
  const code = last.codePointAt(0) as number;
  const lower = `${column} >= ${params.bind(prefix)}`;
  if (code >= 0x10ffff) return lower;
  const next = code === 0xd7ff ? 0xe000 : code + 1;
  return `${lower} AND ${column} < ${params.bind(chars.join('') + String.fromCodePoint(next))}`;
}
