import { randomBytes } from 'node:crypto';

// Stored JSON text travels to the response untouched (Blaze: "reads return stored bytes"); only when
// the client asks for a different shape (_summary, _elements, _pretty) is it parsed.

export class RawJson {
  constructor(readonly text: string) {}

  parse<T = unknown>(): T {
    return JSON.parse(this.text) as T;
  }
}

/** JSON.stringify that splices RawJson values in as they are. */
export function stringifyWithRaw(value: unknown, indent?: number): string {
  if (value instanceof RawJson) return indent ? JSON.stringify(value.parse(), null, indent) : value.text;
  const raws: string[] = [];
  // A fresh marker per call, so no string inside a resource can be mistaken for a placeholder.
  const mark = `\u0000raw${randomBytes(8).toString('hex')}:`;
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v instanceof RawJson) {
        if (indent) return v.parse();
        raws.push(v.text);
        return `${mark}${raws.length - 1}`;
      }
      return v;
    },
    indent,
  );
  if (raws.length === 0) return text;
  const placeholder = new RegExp(`"${JSON.stringify(mark).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g');
  return text.replace(placeholder, (_m, i: string) => raws[Number(i)]);
}
