import type { z } from '@hono/zod-openapi';
import { type RawBuilder, sql } from 'kysely';
import type { StoredColumn } from '../db/schema.ts';
import type { ColumnType } from './column-types.ts';
import { jsonCell, outputSql } from './dataset-table.ts';
import type { QuerySchema } from './datasets.schemas.ts';
import { filterSql, QueryInputError, resolveColumn } from './row-query.ts';

type Query = z.output<typeof QuerySchema>;
type Metric = Query['metrics'][number]['op'];
type Bucket = NonNullable<Query['group_by'][number]['bucket']>;

export interface Aggregate {
  statement: RawBuilder<Record<string, unknown>>;
  columns: { name: string; type: ColumnType }[];
  toRow: (row: Record<string, unknown>) => (string | number | boolean | null)[];
}

const NUMERIC: ColumnType[] = ['integer', 'number'];

/** A date or timestamp truncated to a time bucket, in UTC (checked by the caller). */
export function bucketSql(column: StoredColumn, bucket: Bucket): RawBuilder<unknown> {
  const ref = sql.ref(column.key);
  return column.type === 'timestamp'
    ? sql`date_trunc(${bucket}, ${ref}, 'UTC')`
    : sql`date_trunc(${bucket}, ${ref}::timestamp)::date`;
}

/** One metric over a column that fits it (checked by the caller), as it leaves the database. */
export function metricSql(
  op: Metric,
  column: StoredColumn,
): { type: ColumnType; expression: RawBuilder<unknown> } {
  const ref = sql.ref(column.key);
  switch (op) {
    case 'count':
      return { type: 'integer', expression: sql`count(${ref})` };
    case 'count_distinct':
      return { type: 'integer', expression: sql`count(distinct ${ref})` };
    case 'sum':
      return { type: 'number', expression: sql`sum(${ref})::double precision` };
    case 'avg':
      return { type: 'number', expression: sql`avg(${ref})::double precision` };
    case 'median':
      return {
        type: 'number',
        expression: sql`percentile_cont(0.5) within group (order by ${ref})`,
      };
    default:
      return {
        type: column.type,
        expression: outputSql(column.key, column.type, sql`${sql.raw(op)}(${ref})`),
      };
  }
}

/**
 * Builds one SQL statement for an aggregate query: group columns (optionally bucketed in time,
 * in UTC), metrics, filters, order and limit. Every column is resolved against the dataset's
 * own list first; only generated keys reach the SQL.
 */
export function buildAggregate(table: string, columns: StoredColumn[], query: Query): Aggregate {
  const outputs: { name: string; type: ColumnType; expression: RawBuilder<unknown> }[] = [];
  const invalid = (loc: (string | number)[], msg: string): never => {
    throw new QueryInputError([{ loc: ['body', ...loc], msg, type: 'value_error' }]);
  };

  query.group_by.forEach((group, index) => {
    const column = resolveColumn(columns, group.column, ['body', 'group_by', index, 'column']);
    if (!group.bucket) {
      outputs.push({
        name: column.name,
        type: column.type,
        expression: outputSql(column.key, column.type),
      });
      return;
    }
    if (column.type !== 'date' && column.type !== 'timestamp') {
      invalid(
        ['group_by', index, 'bucket'],
        `time buckets need a date or timestamp column; "${column.name}" is ${column.type}`,
      );
    }
    if (column.type === 'date' && group.bucket === 'hour') {
      invalid(
        ['group_by', index, 'bucket'],
        `"${column.name}" holds dates: bucket by day or longer`,
      );
    }
    outputs.push({
      name: `${column.name} (${group.bucket})`,
      type: column.type,
      expression: outputSql(column.key, column.type, bucketSql(column, group.bucket)),
    });
  });
  const groupCount = outputs.length;

  query.metrics.forEach((metric, index) => {
    const loc = ['metrics', index];
    if (!metric.column) {
      if (metric.op !== 'count') invalid([...loc, 'column'], `${metric.op} needs a column`);
      outputs.push({ name: metric.as ?? 'count', type: 'integer', expression: sql`count(*)` });
      return;
    }
    const column = resolveColumn(columns, metric.column, ['body', ...loc, 'column']);
    const name = metric.as ?? `${metric.op}(${column.name})`;
    const needsNumbers = metric.op === 'sum' || metric.op === 'avg' || metric.op === 'median';
    if (needsNumbers && !NUMERIC.includes(column.type)) {
      invalid(
        [...loc, 'column'],
        `${metric.op} needs a number column; "${column.name}" is ${column.type}`,
      );
    }
    if ((metric.op === 'min' || metric.op === 'max') && column.type === 'boolean') {
      invalid([...loc, 'column'], `${metric.op} does not apply to boolean columns`);
    }
    outputs.push({ name, ...metricSql(metric.op, column) });
  });

  const seen = new Set<string>();
  outputs.forEach((output, index) => {
    if (seen.has(output.name)) {
      invalid(
        index < groupCount ? ['group_by', index] : ['metrics', index - groupCount],
        `two output columns are named "${output.name}"; set \`as\``,
      );
    }
    seen.add(output.name);
  });

  const conditions = filterSql(columns, query.filters, ['body', 'filters']);
  const order = query.order_by.length
    ? query.order_by.map((item, index) => {
        const position = outputs.findIndex((output) => output.name === item.name);
        if (position === -1)
          invalid(['order_by', index, 'name'], `there is no output column "${item.name}"`);
        return sql`${sql.raw(String(position + 1))} ${sql.raw(item.desc ? 'desc' : 'asc')} nulls last`;
      })
    : outputs
        .slice(0, groupCount)
        .map((_, index) => sql`${sql.raw(String(index + 1))} asc nulls last`);

  const selectList = sql.join(
    outputs.map((output, index) => sql`${output.expression} as ${sql.id(`o${index}`)}`),
  );
  const whereSql = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const groupSql = groupCount
    ? sql`group by ${sql.join(outputs.slice(0, groupCount).map((_, i) => sql.raw(String(i + 1))))}`
    : sql``;
  const orderSql = order.length ? sql`order by ${sql.join(order)}` : sql``;
  return {
    statement: sql<
      Record<string, unknown>
    >`select ${selectList} from ${sql.table(table)} ${whereSql} ${groupSql} ${orderSql} limit ${query.limit}`,
    columns: outputs.map(({ name, type }) => ({ name, type })),
    toRow: (row) => outputs.map((output, index) => jsonCell(output.type, row[`o${index}`])),
  };
}
