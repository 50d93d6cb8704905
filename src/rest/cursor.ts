// Paging cursors: the keyset of the last row, bound to the query it came from, HMAC-signed so that a
// client can neither forge a position nor splice a cursor onto another query.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from '../fhir/errors.js';
import type { Keyset } from '../store/index.js';

interface CursorBody {
  /** Hash of the canonical query the cursor belongs to. */
  q: string;
  k: (string | null)[];
  i: string;
}

const queryHash = (canonical: [string, string][]): string =>
  createHmac('sha256', 'query').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);

const sign = (secret: Buffer, payload: string): string => createHmac('sha256', secret).update(payload).digest('base64url');

export function encodeCursor(secret: Buffer, canonical: [string, string][], keyset: Keyset): string {
  const body: CursorBody = { q: queryHash(canonical), k: keyset.keys, i: keyset.id };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function decodeCursor(secret: Buffer, canonical: [string, string][], cursor: string): Keyset {
  const [payload, signature] = cursor.split('.');
  const expected = payload ? sign(secret, payload) : '';
  if (!signature || signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    throw invalid('The paging cursor is not valid for this server', '_cursor');
  }
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString()) as CursorBody;
  if (body.q !== queryHash(canonical)) throw invalid('The paging cursor belongs to a different query', '_cursor');
  return { keys: body.k, id: body.i };
}
