import { describe, expect, it } from 'vitest';
import { isValidNhsNumber } from './nhs-number.js';

describe('isValidNhsNumber', () => {
  it('accepts numbers with a correct modulus-11 check digit', () => {
    for (const n of ['9434765919', '9449305552', '9000000009', '9912003888']) expect(isValidNhsNumber(n), n).toBe(true);
  });

  it('refuses wrong check digits, check value 10, and anything not 10 digits', () => {
    for (const n of ['1234567890', '9001234567', '9434765918', '943476591', '94347659190', '943 476 5919', 'abcdefghij', '']) expect(isValidNhsNumber(n), n).toBe(false);
  });
});
