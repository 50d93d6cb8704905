import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../fhir/errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

const secret = randomBytes(32);
const query: [string, string][] = [['family', 'smith']];

describe('paging cursors', () => {
  it('round-trip the keyset for the same query', () => {
    const cursor = encodeCursor(secret, query, { keys: ['1950', null], id: 'abc' });
    expect(decodeCursor(secret, query, cursor)).toEqual({ keys: ['1950', null], id: 'abc' });
  });

  it('refuse a cursor signed with another secret, altered, or used with another query', () => {
    const cursor = encodeCursor(secret, query, { keys: [], id: 'abc' });
    expect(() => decodeCursor(randomBytes(32), query, cursor)).toThrow(FhirError);
    const [payload, sig] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), i: 'zzz' })).toString('base64url')}.${sig}`;
    expect(() => decodeCursor(secret, query, forged)).toThrow(FhirError);
    expect(() => decodeCursor(secret, [['family', 'jones']], cursor)).toThrow(/different query/);
    expect(() => decodeCursor(secret, query, 'garbage')).toThrow(FhirError);
  });
});
