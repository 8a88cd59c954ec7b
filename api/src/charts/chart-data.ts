import type { z } from '@hono/zod-openapi';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { buildAggregate } from '../datasets/aggregate.ts';
import { jsonCell, outputSql } from '../datasets/dataset-table.ts';
import { type Filter, filterSql, resolveColumn } from '../datasets/row-query.ts';
import type { Database, StoredColumn } from '../db/schema.ts';
import { type ChartSpec, NUMERIC, TIME } from './chart-spec.ts';
import type { ChartDataSchema } from './charts.schemas.ts';
import { downsampleMinMax, stride } from './downsample.ts';
import {
  type Fold,
  type Group,
  limitCategories,
  limitGroups,
  type Point,
} from './series-limits.ts';

export type { ChartSpec } from './chart-spec.ts';
export { validateSpec } from './chart-spec.ts';

type ChartData = z.output<typeof ChartDataSchema>;
type Cell = string | number | boolean | null;

/** Raw (unaggregated) series read at most this many rows before downsampling. */
const RAW_ROW_CAP = 200_000;
/** Aggregated answers read at most this many groups (x values × series values). */
const GROUP_ROW_CAP = 100_000;

export interface DataOptions {
  maxPoints: number;
  /** Most series one answer draws; the rest fold into "Other" (see series-limits.ts). */
  maxSeries: number;
  /** Most distinct x values of a bar, pie or category chart. */
  maxCategories: number;
  from?: string;
  to?: string;
}

interface Source {
  db: Kysely<Database>;
  spec: ChartSpec;
  table: string;
  columns: StoredColumn[];
  x: StoredColumn;
  filters: Filter[];
  /** `filters` as SQL conditions, checked once. */
  where: RawBuilder<unknown>[];
}

const measureName = (y: ChartSpec['y'][number], columns: StoredColumn[]) => {
  const column = y.column ? resolveColumn(columns, y.column, []) : undefined;
  const name = column?.label ?? column?.name;
  if (y.aggregate === 'none') return name ?? 'value';
  return name ? `${y.aggregate}(${name})` : 'count';
};

/** The zoom range as filters; each bound's mistakes are named by its own parameter. */
function rangeFilters(columns: StoredColumn[], x: StoredColumn, options: DataOptions): Filter[] {
  const range: Filter[] = [];
  for (const [name, op] of [
    ['from', 'gte'],
    ['to', 'lte'],
  ] as const) {
    const value = options[name];
    if (value === undefined) continue;
    const filter: Filter = { column: x.name, op, value };
    filterSql(columns, [filter], ['query', name]);
    range.push(filter);
  }
  return range;
}

async function histogram(source: Source): Promise<Pick<ChartData, 'series' | 'bin_width'>> {
  const { db, spec, table, x, where } = source;
  const ref = sql.ref(x.key);
  const conditions = sql.join([sql`${ref} is not null`, ...where], sql` and `);
  const { rows: bounds } = await sql<{ lo: number | null; hi: number | null }>`
    select min(${ref})::double precision as lo, max(${ref})::double precision as hi
    from ${sql.table(table)} where ${conditions}`.execute(db);
  const lo = bounds[0]?.lo;
  const hi = bounds[0]?.hi;
  if (lo === null || lo === undefined || hi === null || hi === undefined) {
    return { series: [{ name: 'count', points: [] }], bin_width: null };
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
  return { series: [{ name: 'count', points }], bin_width: width };
}

/** Groups by the series column's value (a Map: any text can be a value, `constructor` too). */
function grouper(measures: number) {
  const groups = new Map<string, Group>();
  return {
    add(name: string, measure: number, point: Point) {
      let group = groups.get(name);
      if (!group) {
        group = { name, measures: Array.from({ length: measures }, () => []) };
        groups.set(name, group);
      }
      group.measures[measure]?.push(point);
    },
    groups: () => [...groups.values()],
  };
}

async function rawGroups(source: Source, seriesColumn?: StoredColumn): Promise<Group[]> {
  const { db, spec, table, columns, x, where } = source;
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
  const grouped = grouper(yColumns.length);
  for (const row of rows) {
    const name = seriesColumn ? String(jsonCell(seriesColumn.type, row.s)) : '';
    yColumns.forEach((column, i) => {
      const point: Point = [jsonCell(x.type, row.x), jsonCell(column.type, row[`y${i}`])];
      if (size) point.push(jsonCell(size.type, row.z));
      grouped.add(name, i, point);
    });
  }
  return grouped.groups();
}

async function aggregatedGroups(source: Source, seriesColumn?: StoredColumn): Promise<Group[]> {
  const { db, spec, table, columns, x } = source;
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
    filters: source.filters,
    order_by: [],
    limit: GROUP_ROW_CAP,
  });
  const { rows } = await aggregate.statement.execute(db);
  const offset = seriesColumn ? 2 : 1;
  const grouped = grouper(spec.y.length);
  for (const row of rows.map(aggregate.toRow)) {
    const name = seriesColumn ? String(row[1] ?? null) : '';
    for (let i = 0; i < spec.y.length; i++) {
      grouped.add(name, i, [row[0] ?? null, row[offset + i] ?? null]);
    }
  }
  return grouped.groups();
}

const foldOf = (spec: ChartSpec, raw: boolean): Fold =>
  raw ? 'merge' : spec.y.every((y) => !y.column || y.aggregate === 'sum') ? 'add' : 'drop';

/** Chart-ready series, computed in the database by the dataset query engine, bounded in size. */
export async function chartData(
  db: Kysely<Database>,
  chart: { id: string; spec: ChartSpec },
  dataset: { table_name: string; columns: StoredColumn[] },
  options: DataOptions,
): Promise<ChartData> {
  const { spec } = chart;
  const { columns, table_name: table } = dataset;
  const x = resolveColumn(columns, spec.x.column, ['spec', 'x', 'column']);
  const range = rangeFilters(columns, x, options);
  const filters = [...spec.filters, ...range];
  const where = filterSql(columns, filters, ['spec', 'filters']);
  const source: Source = { db, spec, table, columns, x, filters, where };
  const xName = spec.x.bucket ? `${x.label ?? x.name} (${spec.x.bucket})` : (x.label ?? x.name);
  const base = { chart_id: chart.id, type: spec.type, x: { name: xName, type: x.type } };

  if (spec.type === 'histogram') {
    const drawn = await histogram(source);
    const total = drawn.series[0]?.points.length ?? 0;
    return {
      ...base,
      ...drawn,
      downsampled: false,
      method: 'none',
      total_points: total,
      other_series: 0,
      other_categories: 0,
    };
  }

  const raw = spec.type === 'scatter' || spec.y.some((y) => y.aggregate === 'none');
  const seriesColumn = spec.series ? resolveColumn(columns, spec.series.column, []) : undefined;
  const fold = foldOf(spec, raw);
  const read = raw
    ? await rawGroups(source, seriesColumn)
    : await aggregatedGroups(source, seriesColumn);
  // Each group draws one series per measure: the cap counts series, not groups.
  const bySeries = limitGroups(
    read,
    Math.max(1, Math.floor(options.maxSeries / spec.y.length)),
    fold,
  );
  const categorical =
    spec.type === 'bar' ||
    spec.type === 'pie' ||
    (!NUMERIC.includes(x.type) && !TIME.includes(x.type));
  const byCategory = categorical
    ? limitCategories(
        bySeries.groups,
        options.maxCategories,
        fold,
        NUMERIC.includes(x.type) || TIME.includes(x.type),
      )
    : { groups: bySeries.groups, folded: 0 };

  const names = spec.y.map((y) => measureName(y, columns));
  const series = byCategory.groups.flatMap((group) =>
    group.measures.map((points, i) => ({
      name: seriesColumn
        ? spec.y.length > 1
          ? `${group.name} · ${names[i]}`
          : group.name
        : (names[i] as string),
      points: points as Cell[][],
    })),
  );
  const total = series.reduce((sum, s) => sum + s.points.length, 0);
  // Two points per series at the least (its ends), however small `max_points` is.
  const budget = Math.max(2, Math.floor(options.maxPoints / Math.max(1, series.length)));
  const method = spec.type === 'scatter' ? 'stride' : 'minmax';
  const downsampled =
    total > options.maxPoints &&
    (spec.type === 'line' || spec.type === 'area' || spec.type === 'scatter');
  return {
    ...base,
    bin_width: null,
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
    other_series: bySeries.folded,
    other_categories: byCategory.folded,
  };
}
