// Parsing of search values by parameter type (R4 §3.1.1.4 "search parameter types").
// Pure functions: the SQL compiler and the in-memory matcher both consume these shapes.
import { invalid } from '../errors.js';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/** A half-open range [lo, hi) in epoch milliseconds. */
export interface TimeRange { lo: number; hi: number }

export interface StringValue { type: 'string'; text: string }
/** system undefined = any system; system '' = explicitly no system (`|code`). */
export interface TokenValue { type: 'token'; system?: string; code?: string }
export interface DateValue extends TimeRange { type: 'date'; prefix: Prefix }
/** A decimal with its implicit precision range (R4: "100" means [99.5, 100.5)). */
export interface NumberValue { type: 'number'; prefix: Prefix; value: number; lo: number; hi: number }
export interface QuantityValue extends Omit<NumberValue, 'type'> { type: 'quantity'; system?: string; code?: string }
export interface UriValue { type: 'uri'; uri: string }
export interface ReferenceValue { type: 'reference'; resourceType?: string; id?: string; url?: string }
export interface CompositeValue { type: 'composite'; parts: SearchValue[] }
export type SearchValue =
  | StringValue
  | TokenValue
  | DateValue
  | NumberValue
  | QuantityValue
  | UriValue
  | ReferenceValue
  | CompositeValue;

/** Splits on unescaped `sep`, keeping escapes in the pieces so they can be split again or unescaped. */
export function splitEscaped(raw: string, sep: string): string[] {
  // Most values escape nothing, and splitting them natively is many times faster than char by char
  // (measured on the label filters every care worker's search carries: docs/performance.md).
  if (!raw.includes('\\')) return raw.split(sep);
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\\' && i + 1 < raw.length) {
      current += ch + raw[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** Removes any remaining escapes once a value has been fully split. */
export function unescapeValue(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\([,|$\\])/g, '$1');
}

function takePrefix(raw: string): { prefix: Prefix; rest: string } {
  const head = raw.slice(0, 2) as Prefix;
  if (PREFIXES.has(head) && raw.length > 2 && /[0-9-]/.test(raw[2])) return { prefix: head, rest: raw.slice(2) };
  return { prefix: 'eq', rest: raw };
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date/dateTime/instant into the range it denotes at its precision.
 * Values without a time zone are read as UTC (documented in docs/api.md).
 */
export function parseDateRange(raw: string): TimeRange | undefined {
  const m = DATE_RE.exec(raw);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  if (mo && (month < 0 || month > 11)) return undefined;
  const day = d ? Number(d) : 1;
  if (d && (day < 1 || day > 31)) return undefined;
  const offsetMs = tz && tz !== 'Z' ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000 : 0;
  if (!mo) return { lo: Date.UTC(year, 0, 1), hi: Date.UTC(year + 1, 0, 1) };
  if (!d) return { lo: Date.UTC(year, month, 1), hi: Date.UTC(year, month + 1, 1) };
  if (!h) return { lo: Date.UTC(year, month, day), hi: Date.UTC(year, month, day + 1) };
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  const lo = Date.UTC(year, month, day, Number(h), Number(mi), s ? Number(s) : 0, ms) - offsetMs;
  const width = frac ? 1 : s ? 1000 : 60_000;
  if (Number.isNaN(lo)) return undefined;
  return { lo, hi: lo + width };
}

function parseDecimal(raw: string, expression: string): { value: number; lo: number; hi: number } {
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw invalid(`'${raw}' is not a number`, expression);
  const value = Number(raw);
  const mantissa = raw.split(/[eE]/)[0];
  const exponent = raw.includes('e') || raw.includes('E') ? Number(raw.split(/[eE]/)[1]) : 0;
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
  const half = 0.5 * 10 ** (exponent - decimals);
  return { value, lo: value - half, hi: value + half };
}

export function parseValue(type: string, raw: string, expression: string, components?: string[]): SearchValue {
  switch (type) {
    case 'string':
      return { type: 'string', text: unescapeValue(raw) };
    case 'token': {
      const parts = splitEscaped(raw, '|');
      if (parts.length === 1) return { type: 'token', code: unescapeValue(parts[0]) };
      if (parts.length > 2) throw invalid(`Token '${raw}' has more than one unescaped '|'`, expression);
      const [system, code] = parts.map(unescapeValue);
      return { type: 'token', system, code: code === '' ? undefined : code };
    }
    case 'date': {
      const { prefix, rest } = takePrefix(raw);
      const range = parseDateRange(rest);
      if (!range) throw invalid(`'${raw}' is not a valid date, dateTime or instant`, expression);
      return { type: 'date', prefix, ...range };
    }
    case 'number': {
      const { prefix, rest } = takePrefix(raw);
      return { type: 'number', prefix, ...parseDecimal(rest, expression) };
    }
    case 'quantity': {
      const [num, system, code, ...extra] = splitEscaped(raw, '|').map(unescapeValue);
      if (extra.length) throw invalid(`Quantity '${raw}' has too many parts`, expression);
      const { prefix, rest } = takePrefix(num);
      return {
        type: 'quantity',
        prefix,
        ...parseDecimal(rest, expression),
        system: system || undefined,
        code: code || undefined,
      };
    }
    case 'uri':
      return { type: 'uri', uri: unescapeValue(raw) };
    case 'reference':
      return parseReferenceValue(unescapeValue(raw));
    case 'composite': {
      const parts = splitEscaped(raw, '$');
      if (!components || parts.length !== components.length) {
        throw invalid(`Composite value '${raw}' must have ${components?.length ?? 0} parts separated by '$'`, expression);
      }
      return { type: 'composite', parts: parts.map((p, i) => parseValue(components[i], p, expression)) };
    }
    default:
      throw invalid(`Search parameters of type '${type}' are not supported`, expression);
  }
}

export function parseReferenceValue(raw: string): ReferenceValue {
  if (/^[a-z][a-z0-9+.-]*:/.test(raw)) {
    const m = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(raw);
    return { type: 'reference', url: raw, resourceType: m?.[1], id: m?.[2] };
  }
  const parts = raw.split('/');
  if (parts.length >= 2 && /^[A-Z]/.test(parts[0])) return { type: 'reference', resourceType: parts[0], id: parts[1] };
  return { type: 'reference', id: raw };
}
