import type { z } from '@hono/zod-openapi';
import type { ColumnType } from '../datasets/column-types.ts';
import { filterSql, QueryInputError, resolveColumn } from '../datasets/row-query.ts';
import type { StoredColumn } from '../db/schema.ts';
import type { ChartSpecSchema } from './charts.schemas.ts';

export type ChartSpec = z.output<typeof ChartSpecSchema>;
type Loc = (string | number)[];

export const NUMERIC: ColumnType[] = ['integer', 'number'];
export const TIME: ColumnType[] = ['date', 'timestamp'];

const invalid = (loc: Loc, msg: string): never => {
  throw new QueryInputError([{ loc, msg, type: 'value_error' }]);
};

/**
 * Checks a chart definition against its dataset: every column exists and fits its role, and the
 * combination makes sense (a pie has one measure, a sum needs numbers, …). 422 naming the field.
 */
export function validateSpec(
  spec: ChartSpec,
  columns: StoredColumn[],
  loc: Loc = ['body', 'spec'],
): void {
  const x = resolveColumn(columns, spec.x.column, [...loc, 'x', 'column']);
  if (spec.x.bucket && !TIME.includes(x.type)) {
    invalid(
      [...loc, 'x', 'bucket'],
      `time buckets need a date or timestamp column; "${x.name}" is ${x.type}`,
    );
  }
  const raw = spec.type === 'scatter' || spec.y.some((y) => y.aggregate === 'none');
  spec.y.forEach((y, i) => {
    const at = [...loc, 'y', i];
    if (y.aggregate === 'none' && !['line', 'area', 'scatter'].includes(spec.type)) {
      invalid(
        [...at, 'aggregate'],
        `a ${spec.type} chart combines values: choose count, sum, avg, min, max or median`,
      );
    }
    if (spec.type === 'scatter' && y.aggregate !== 'none') {
      invalid([...at, 'aggregate'], 'a scatter plots each row: use aggregate none');
    }
    if (!y.column) {
      if (y.aggregate !== 'count') invalid([...at, 'column'], `${y.aggregate} needs a column`);
      return;
    }
    const column = resolveColumn(columns, y.column, [...at, 'column']);
    const numeric = ['sum', 'avg', 'median', 'none'].includes(y.aggregate);
    if (numeric && !NUMERIC.includes(column.type)) {
      invalid(
        [...at, 'column'],
        `${y.aggregate === 'none' ? 'plotting' : y.aggregate} needs a number column; "${column.name}" is ${column.type}`,
      );
    }
    if ((y.aggregate === 'min' || y.aggregate === 'max') && column.type === 'boolean') {
      invalid([...at, 'column'], `${y.aggregate} does not apply to boolean columns`);
    }
  });
  if (raw && spec.y.some((y) => y.aggregate !== 'none')) {
    invalid(
      [...loc, 'y'],
      'plot raw values (aggregate none) or combined ones, not both in one chart',
    );
  }
  if (spec.type === 'pie') {
    if (spec.y.length !== 1)
      invalid([...loc, 'y'], `a pie shows one measure; this has ${spec.y.length}`);
    if (spec.series)
      invalid([...loc, 'series'], 'a pie has no series: its slices are the x values');
  }
  if (spec.type === 'histogram' && !NUMERIC.includes(x.type)) {
    invalid([...loc, 'x', 'column'], `a histogram needs a number column; "${x.name}" is ${x.type}`);
  }
  if (spec.type === 'scatter' && !NUMERIC.includes(x.type) && !TIME.includes(x.type)) {
    invalid(
      [...loc, 'x', 'column'],
      `a scatter needs numbers, dates or timestamps along x; "${x.name}" is ${x.type}`,
    );
  }
  if (spec.series) resolveColumn(columns, spec.series.column, [...loc, 'series', 'column']);
  if (spec.size) {
    if (spec.type !== 'scatter') invalid([...loc, 'size'], 'only a scatter sizes its points');
    const size = resolveColumn(columns, spec.size.column, [...loc, 'size', 'column']);
    if (!NUMERIC.includes(size.type))
      invalid(
        [...loc, 'size', 'column'],
        `size needs a number column; "${size.name}" is ${size.type}`,
      );
  }
  filterSql(columns, spec.filters, [...loc, 'filters']);
  validateAnnotations(spec, x, loc);
}

/** Annotations along a time axis name dates the reader's axis can place. */
function validateAnnotations(spec: ChartSpec, x: StoredColumn, loc: Loc): void {
  if (!TIME.includes(x.type)) return;
  (spec.annotations ?? []).forEach((annotation, i) => {
    const at = [...loc, 'annotations', i];
    const places: [string, unknown][] =
      annotation.type === 'range'
        ? [
            ['from', annotation.from],
            ['to', annotation.to],
          ]
        : annotation.type === 'note'
          ? [['x', annotation.x]]
          : [];
    for (const [field, value] of places) {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        invalid(
          [...at, field],
          `"${x.name}" is a ${x.type} column: give a date such as 2024-03-01, not ${JSON.stringify(value)}`,
        );
      }
    }
  });
}
