import { describe, expect, it } from 'vitest';
import { FhirError } from '../errors.js';
import { parseDateRange, parseReferenceValue, parseValue, splitEscaped } from './values.js';

describe('parseDateRange', () => {
  it('gives the range a value denotes at its precision', () => {
    expect(parseDateRange('2024')).toEqual({ lo: Date.UTC(2024, 0, 1), hi: Date.UTC(2025, 0, 1) });
    expect(parseDateRange('2024-02')).toEqual({ lo: Date.UTC(2024, 1, 1), hi: Date.UTC(2024, 2, 1) });
    expect(parseDateRange('2024-12-31')).toEqual({ lo: Date.UTC(2024, 11, 31), hi: Date.UTC(2025, 0, 1) });
    expect(parseDateRange('2024-05-01T09:30')).toEqual({ lo: Date.UTC(2024, 4, 1, 9, 30), hi: Date.UTC(2024, 4, 1, 9, 31) });
    expect(parseDateRange('2024-05-01T09:30:15Z')).toEqual({ lo: Date.UTC(2024, 4, 1, 9, 30, 15), hi: Date.UTC(2024, 4, 1, 9, 30, 16) });
    expect(parseDateRange('2024-05-01T09:30:15.250Z')).toEqual({ lo: Date.UTC(2024, 4, 1, 9, 30, 15, 250), hi: Date.UTC(2024, 4, 1, 9, 30, 15, 251) });
  });

  it('applies time-zone offsets', () => {
    expect(parseDateRange('2024-05-01T10:00:00+01:00')?.lo).toBe(Date.UTC(2024, 4, 1, 9));
    expect(parseDateRange('2024-05-01T04:00:00-05:00')?.lo).toBe(Date.UTC(2024, 4, 1, 9));
  });

  it('rejects what is not a FHIR date', () => {
    for (const bad of ['2024-13', '2024-00-10', 'yesterday', '24-01-01', '2024-01-32', '']) expect(parseDateRange(bad)).toBeUndefined();
  });
});

describe('splitEscaped', () => {
  it('splits on unescaped separators only, keeping escapes for later', () => {
    expect(splitEscaped('a,b\\,c,d', ',')).toEqual(['a', 'b\\,c', 'd']);
    expect(splitEscaped('sys|co\\|de', '|')).toEqual(['sys', 'co\\|de']);
  });
});

describe('parseValue', () => {
  it('parses token forms', () => {
    expect(parseValue('token', 'code', 'x')).toEqual({ type: 'token', code: 'code' });
    expect(parseValue('token', 'sys|code', 'x')).toEqual({ type: 'token', system: 'sys', code: 'code' });
    expect(parseValue('token', '|code', 'x')).toEqual({ type: 'token', system: '', code: 'code' });
    expect(parseValue('token', 'sys|', 'x')).toEqual({ type: 'token', system: 'sys', code: undefined });
    expect(parseValue('token', 'a\\|b', 'x')).toEqual({ type: 'token', code: 'a|b' });
  });

  it('parses numbers with their implicit precision', () => {
    expect(parseValue('number', '100', 'x')).toMatchObject({ prefix: 'eq', value: 100, lo: 99.5, hi: 100.5 });
    expect(parseValue('number', 'gt1.50', 'x')).toMatchObject({ prefix: 'gt', value: 1.5, lo: 1.495, hi: 1.505 });
    expect(parseValue('number', '1e2', 'x')).toMatchObject({ value: 100, lo: 50, hi: 150 });
    expect(() => parseValue('number', 'ten', 'x')).toThrow(FhirError);
  });

  it('parses quantities and composites', () => {
    expect(parseValue('quantity', 'le5.4|http://unitsofmeasure.org|mg', 'x')).toMatchObject({ prefix: 'le', value: 5.4, system: 'http://unitsofmeasure.org', code: 'mg' });
    expect(parseValue('quantity', '5.4||mg', 'x')).toMatchObject({ system: undefined, code: 'mg' });
    const composite = parseValue('composite', 'loinc|1234$gt5', 'x', ['token', 'quantity']);
    expect(composite).toMatchObject({ type: 'composite', parts: [{ type: 'token', system: 'loinc', code: '1234' }, { type: 'quantity', prefix: 'gt', value: 5 }] });
    expect(() => parseValue('composite', 'only-one', 'x', ['token', 'quantity'])).toThrow(FhirError);
  });

  it('recognises date prefixes only before a date', () => {
    expect(parseValue('date', 'ge2024-01-01', 'x')).toMatchObject({ prefix: 'ge' });
    expect(() => parseValue('date', 'gex', 'x')).toThrow(FhirError);
  });
});

describe('parseReferenceValue', () => {
  it('reads relative, bare and absolute references', () => {
    expect(parseReferenceValue('Patient/1')).toEqual({ type: 'reference', resourceType: 'Patient', id: '1' });
    expect(parseReferenceValue('abc')).toEqual({ type: 'reference', id: 'abc' });
    expect(parseReferenceValue('https://x.org/fhir/Patient/9/_history/2')).toEqual({ type: 'reference', url: 'https://x.org/fhir/Patient/9/_history/2', resourceType: 'Patient', id: '9' });
  });
});
