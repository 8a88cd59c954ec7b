import type { z } from '@hono/zod-openapi';
import { type Kysely, sql } from 'kysely';
import { buildAggregate } from '../datasets/aggregate.ts';
import type { ColumnType } from '../datasets/column-types.ts';
import { jsonCell, outputSql } from '../datasets/dataset-table.ts';
import { type Filter, filterSql, QueryInputError, resolveColumn } from '../datasets/row-query.ts';
import type { Database, StoredColumn } from '../db/schema.ts';
import type { ChartDataSchema, ChartSpecSchema } from './charts.schemas.ts';

export type ChartSpec = z.output<typeof ChartSpecSchema>;
type ChartData = z.output<typeof ChartDataSchema>;
type Cell = string | number | boolean | null;
type Loc = (string | number)[];

const NUMERIC: ColumnType[] = ['integer', 'number'];
const TIME: ColumnType[] = ['date', 'timestamp'];
/** Raw (unaggregated) series read at most this many rows before downsampling. */
const RAW_ROW_CAP = 200_000;

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
}

const measureName = (y: ChartSpec['y'][number], columns: StoredColumn[]) => {
  const column = y.column ? resolveColumn(columns, y.column, []) : undefined;
  const name = column?.label ?? column?.name;
  if (y.aggregate === 'none') return name ?? 'value';
  return name ? `${y.aggregate}(${name})` : 'count';
};

/**
 * Keeps a series' shape with at most `budget` points: the first and last, and in each of equal
 * slices between them the lowest and highest point, in x order. Peaks and troughs survive.
 */
export function downsampleMinMax(points: Cell[][], budget: number): Cell[][] {
  if (points.length <= budget || budget < 4) return points;
  const interior = points.length - 2;
  const buckets = Math.floor((budget - 2) / 2);
  const kept: Cell[][] = [points[0] as Cell[]];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * interior) / buckets);
    const end = 1 + Math.floor(((b + 1) * interior) / buckets);
    let low = start;
    let high = start;
    for (let i = start; i < end; i++) {
      const y = Number((points[i] as Cell[])[1]);
      if (y < Number((points[low] as Cell[])[1])) low = i;
      if (y > Number((points[high] as Cell[])[1])) high = i;
    }
    if (end > start) {
      for (const i of low === high ? [low] : [Math.min(low, high), Math.max(low, high)])
        kept.push(points[i] as Cell[]);
    }
  }
  kept.push(points[points.length - 1] as Cell[]);
  return kept;
}

function stride(points: Cell[][], budget: number): Cell[][] {
  if (points.length <= budget) return points;
  const step = points.length / budget;
  return Array.from({ length: budget }, (_, i) => points[Math.floor(i * step)] as Cell[]);
}

export interface DataOptions {
  maxPoints: number;
  from?: string;
  to?: string;
}

/** Chart-ready series, computed in the database by the dataset query engine. */
export async function chartData(
  db: Kysely<Database>,
  chart: { id: string; spec: ChartSpec },
  dataset: { table_name: string; columns: StoredColumn[] },
  options: DataOptions,
): Promise<ChartData> {
  const { spec } = chart;
  const { columns, table_name: table } = dataset;
  const x = resolveColumn(columns, spec.x.column, ['spec', 'x', 'column']);
  const range: Filter[] = [];
  if (options.from !== undefined) range.push({ column: x.name, op: 'gte', value: options.from });
  if (options.to !== undefined) range.push({ column: x.name, op: 'lte', value: options.to });
  filterSql(columns, range, ['query', 'from']);
  const filters = [...spec.filters, ...range];
  const xName = spec.x.bucket ? `${x.label ?? x.name} (${spec.x.bucket})` : (x.label ?? x.name);
  const base = {
    chart_id: chart.id,
    type: spec.type,
    x: { name: xName, type: x.type },
    bin_width: null,
  };

  if (spec.type === 'histogram') {
    const where = filterSql(columns, filters, ['spec', 'filters']);
    const ref = sql.ref(x.key);
    const conditions = sql.join([sql`${ref} is not null`, ...where], sql` and `);
    const { rows: bounds } = await sql<{ lo: number | null; hi: number | null }>`
      select min(${ref})::double precision as lo, max(${ref})::double precision as hi
      from ${sql.table(table)} where ${conditions}`.execute(db);
    const lo = bounds[0]?.lo;
    const hi = bounds[0]?.hi;
    if (lo === null || lo === undefined || hi === null || hi === undefined) {
      return {
        ...base,
        series: [{ name: 'count', points: [] }],
        bin_width: null,
        downsampled: false,
        method: 'none',
        total_points: 0,
      };
    }
    const width = hi > lo ? (hi - lo) / spec.bins : 1;
    const { rows } = await sql<{ bin: number; n: string | number }>`
      select least(floor((${ref} - ${lo}::double precision) / ${width}::double precision), ${spec.bins - 1})::int as bin, count(*) as n
      from ${sql.table(table)} where ${conditions} group by 1 order by 1`.execute(db);
    const counts = new Map(rows.map((row) => [Number(row.bin), Number(row.n)]));
    const points = Array.from({ length: hi > lo ? spec.bins : 1 }, (_, bin) => [
      lo + bin * width,
      counts.get(bin) ?? 0,
    ]);
    return {
      ...base,
      series: [{ name: 'count', points }],
      bin_width: width,
      downsampled: false,
      method: 'none',
      total_points: points.length,
    };
  }

  const raw = spec.type === 'scatter' || spec.y.some((y) => y.aggregate === 'none');
  const seriesColumn = spec.series ? resolveColumn(columns, spec.series.column, []) : undefined;
  const names = spec.y.map((y) => measureName(y, columns));
  const grouped = new Map<string, Cell[][]>();
  const add = (key: string, point: Cell[]) => {
    let points = grouped.get(key);
    if (!points) {
      points = [];
      grouped.set(key, points);
    }
    points.push(point);
  };
  const seriesName = (group: Cell, measure: number) =>
    seriesColumn
      ? spec.y.length > 1
        ? `${String(group)} · ${names[measure]}`
        : String(group)
      : (names[measure] as string);

  if (raw) {
    const where = filterSql(columns, filters, ['spec', 'filters']);
    const yColumns = spec.y.map((y) => resolveColumn(columns, y.column as string, []));
    const size = spec.size ? resolveColumn(columns, spec.size.column, []) : undefined;
    const selected = [
      sql`${outputSql(x.key, x.type)} as x`,
      ...yColumns.map((column, i) => sql`${sql.ref(column.key)} as ${sql.id(`y${i}`)}`),
      ...(seriesColumn ? [sql`${outputSql(seriesColumn.key, seriesColumn.type)} as s`] : []),
      ...(size ? [sql`${sql.ref(size.key)} as z`] : []),
    ];
    const conditions = sql.join([sql`${sql.ref(x.key)} is not null`, ...where], sql` and `);
    const { rows } = await sql<Record<string, unknown>>`
      select ${sql.join(selected)} from ${sql.table(table)} where ${conditions}
      order by ${sql.ref(x.key)}, _row limit ${RAW_ROW_CAP}`.execute(db);
    for (const row of rows) {
      yColumns.forEach((column, i) => {
        const point: Cell[] = [jsonCell(x.type, row.x), jsonCell(column.type, row[`y${i}`])];
        if (size) point.push(jsonCell(size.type, row.z));
        add(seriesName(seriesColumn ? jsonCell(seriesColumn.type, row.s) : null, i), point);
      });
    }
  } else {
    const aggregate = buildAggregate(table, columns, {
      group_by: [
        { column: x.name, bucket: spec.x.bucket },
        ...(seriesColumn ? [{ column: seriesColumn.name }] : []),
      ],
      // The aggregated path never sees `none`: validateSpec sends those to the raw path.
      metrics: spec.y.map((y, i) => ({
        op: (y.column ? y.aggregate : 'count') as Exclude<typeof y.aggregate, 'none'>,
        column: y.column,
        as: `y${i}`,
      })),
      filters,
      order_by: [],
      limit: 100_000,
    });
    const { rows } = await aggregate.statement.execute(db);
    const offset = seriesColumn ? 2 : 1;
    for (const row of rows.map(aggregate.toRow)) {
      for (let i = 0; i < spec.y.length; i++) {
        add(seriesName(seriesColumn ? (row[1] ?? null) : null, i), [
          row[0] ?? null,
          row[offset + i] ?? null,
        ]);
      }
    }
  }

  const series = [...grouped].map(([name, points]) => ({ name, points }));
  const total = series.reduce((sum, s) => sum + s.points.length, 0);
  const budget = Math.max(4, Math.floor(options.maxPoints / Math.max(1, series.length)));
  const method = spec.type === 'scatter' ? 'stride' : 'minmax';
  const downsampled =
    total > options.maxPoints &&
    (spec.type === 'line' || spec.type === 'area' || spec.type === 'scatter');
  return {
    ...base,
    series: downsampled
      ? series.map((s) => ({
          name: s.name,
          points:
            method === 'stride' ? stride(s.points, budget) : downsampleMinMax(s.points, budget),
        }))
      : series,
    downsampled,
    method: downsampled ? method : 'none',
    total_points: total,
  };
}
