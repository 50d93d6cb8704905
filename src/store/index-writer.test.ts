import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../fhir/definitions.js';
import type { Resource } from '../fhir/types.js';
import { extractIndexRows } from './index-writer.js';
import { createParamRegistry } from './search/registry.js';

const registry = createParamRegistry(loadDefinitions());
const rows = (r: unknown, table: string, code: string): unknown[] =>
  (extractIndexRows(registry, r as Resource).get(table) ?? []).filter((row) => row.code === code).map(({ code: _c, ...rest }) => rest);

describe('extractIndexRows', () => {
  const patient = {
    resourceType: 'Patient',
    meta: { tag: [{ system: 'urn:t', code: 'a' }] },
    name: [{ family: 'Ó Súilleabháin', given: ['Seán'] }],
    birthDate: '1960-05',
    gender: 'male',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
    managingOrganization: { reference: 'Organization/o1' },
  };

  it('writes normalised and exact strings for every name part', () => {
    expect(rows(patient, 'sp_string', 'family')).toEqual([{ norm: 'o suilleabhain', exact: 'Ó Súilleabháin' }]);
    expect(rows(patient, 'sp_string', 'name')).toEqual(expect.arrayContaining([{ norm: 'sean', exact: 'Seán' }]));
  });

  it('writes dates as their precision range', () => {
    expect(rows(patient, 'sp_date', 'birthdate')).toEqual([{ lo: Date.UTC(1960, 4, 1), hi: Date.UTC(1960, 5, 1) }]);
  });

  it('writes tokens, references and meta tags', () => {
    expect(rows(patient, 'sp_token', 'identifier')).toEqual([{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919', display: null }]);
    expect(rows(patient, 'sp_reference', 'organization')).toEqual([{ target_type: 'Organization', target_id: 'o1', url: null }]);
    expect(rows(patient, 'sp_token', '_tag')).toEqual([{ system: 'urn:t', value: 'a', display: null }]);
  });

  it('writes composite tuples as JSON', () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '1' }] }, valueQuantity: { value: 2, code: 'kg' } };
    expect(rows(obs, 'sp_composite', 'code-value-quantity')).toEqual([
      { parts: JSON.stringify([{ system: 'http://loinc.org', value: '1', display: null }, { value: '2', system: null, unit: 'kg' }]) },
    ]);
  });
});
