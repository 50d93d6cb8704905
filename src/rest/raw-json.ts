// Stored JSON text travels to the response untouched (Blaze: "reads return stored bytes"); only when
// the client asks for a different shape (_summary, _elements, _pretty) is it parsed.

export class RawJson {
  constructor(readonly text: string) {}

  parse<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }
}

const MARK = '\u0000raw\u0000';

/** JSON.stringify that splices RawJson values in as they are. */
export function stringifyWithRaw(value: unknown, indent?: number): string {
  if (value instanceof RawJson) return indent ? JSON.stringify(value.parse(), null, indent) : value.text;
  const raws: string[] = [];
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v instanceof RawJson) {
        if (indent) return v.parse();
        raws.push(v.text);
        return `${MARK}${raws.length - 1}`;
      }
      return v;
    },
    indent,
  );
  if (raws.length === 0) return text;
  return text.replace(/"\\u0000raw\\u0000(\d+)"/g, (_m, i: string) => raws[Number(i)]);
}

/** Replaces RawJson values by parsed objects (for transformations that need the data). */
export function materialise<T>(value: T | RawJson): T {
  return value instanceof RawJson ? value.parse<T>() : value;
}
