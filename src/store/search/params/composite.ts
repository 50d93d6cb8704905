// R4 composite search (e.g. Observation `code-value-quantity=loinc|1234$gt5`): each indexed row holds
// one tuple of component values as JSON, and every component must match within the same tuple.
import type { TypedValue } from '@medplum/core';
import type { IndexRow, ParamType } from './types.js';
import type { ColumnSource, SqlParams } from '../sql.js';
import type { SearchValue } from '../../../fhir/search/values.js';

export interface CompositeComponent {
  type: ParamType;
  /** Values of this component, evaluated relative to one composite root. */
  evaluate(root: TypedValue): TypedValue[];
}

/** Column source reading component `index` of a composite row, cast to the column's SQL type. */
export function componentColumns(cols: ColumnSource, index: number, component: ParamType): ColumnSource {
  return (column) => {
    const sqlType = component.columns[column] ?? 'text';
    // Text compares bytewise, as in the index tables (COLLATE "C"), so prefix ranges agree.
    return `(${cols('parts')}->${index}->>'${column}')::${sqlType === 'text' ? 'text COLLATE "C"' : sqlType}`;
  };
}

export function compositeRows(roots: TypedValue[], components: CompositeComponent[]): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const root of roots) {
    let tuples: IndexRow[][] = [[]];
    for (const component of components) {
      const rowsForComponent = component.type.extract(component.evaluate(root));
      tuples = tuples.flatMap((t) => rowsForComponent.map((r) => [...t, r]));
    }
    for (const t of tuples) if (t.length === components.length) rows.push({ parts: JSON.stringify(t) });
  }
  return rows;
}

export function compositeCondition(
  value: SearchValue,
  components: readonly ParamType[],
  cols: ColumnSource,
  params: SqlParams,
): string {
  if (value.type !== 'composite') throw new Error('composite parameter given a non-composite value');
  return value.parts.map((part, i) => `(${components[i].condition(part, componentColumns(cols, i, components[i]), params)})`).join(' AND ');
}

export const compositeTable = { table: 'sp_composite', columns: { parts: 'text' } } as const;
