import { type Kysely, type RawBuilder, sql } from 'kysely';
import { bucketSql, metricSql } from '../datasets/aggregate.ts';
import { jsonCell, outputSql } from '../datasets/dataset-table.ts';
import { resolveColumn } from '../datasets/row-query.ts';
import type { Database, StoredColumn } from '../db/schema.ts';
import { type Fold, type KeptValues, keptValues, otherName, sampledRows } from './chart-folds.ts';
import type { ChartSpec } from './chart-spec.ts';

type Cell = string | number | boolean | null;
export type Point = Cell[];

export interface RowSource {
  db: Kysely<Database>;
  spec: ChartSpec;
  table: string;
  columns: StoredColumn[];
  x: StoredColumn;
  /** The spec's filters and the zoom range as SQL conditions, checked once. */
  where: RawBuilder<boolean>[];
  seriesColumn?: StoredColumn;
  /** Whether rows are plotted as they are (aggregate `none`, scatters). */
  raw: boolean;
  /** Whether x holds categories (bars, pies, text): those are bounded in number. */
  categorical: boolean;
  fold: Fold;
}

/** One value of the series column (or the whole chart, without one): its points per measure. */
export interface Group {
  name: string;
  measures: Point[][];
}

export interface ChartRows {
  groups: Group[];
  otherSeries: number;
  otherCategories: number;
  /** Rows before sampling (each gives one point per measure). */
  totalRows: number;
  /** Whether rows were left out to stay within the caps. */
  sampled: boolean;
}

export interface RowLimits {
  /** Most values of the series column drawn; the rest fold (see chart-folds.ts). */
  groups: number;
  /** Most x values of a category chart. */
  categories: number;
  /** Most rows (or groups) read, over all series: each series is sampled evenly beyond its share. */
  rows: number;
}

const OTHER_KEY = 'other';
const ORDERED = ['integer', 'number', 'date', 'timestamp'];

/**
 * What ranks series and categories, so that "the largest" are drawn: what sums and counts add
 * up to; the first measure's own value for averages, medians, minima and maxima (the highest
 * average first); rows, for rows plotted as they are.
 */
function weightSql(source: RowSource): RawBuilder<unknown> {
  if (source.fold !== 'add') return sql`count(*)`;
  const additive = source.spec.y.every(
    (y) => !y.column || y.aggregate === 'sum' || y.aggregate === 'count',
  );
  const measure = source.spec.y[0];
  if (!additive && measure?.column) {
    const op = measure.aggregate as Exclude<typeof measure.aggregate, 'none' | 'sum' | 'count'>;
    return metricSql(op, resolveColumn(source.columns, measure.column, [])).expression;
  }
  const parts = source.spec.y.map((y) => {
    if (!y.column) return sql`count(*)`;
    const column = resolveColumn(source.columns, y.column, []);
    return y.aggregate === 'count'
      ? sql`count(${sql.ref(column.key)})`
      : sql`coalesce(sum(abs(${sql.ref(column.key)})), 0)`;
  });
  return sql`(${sql.join(parts, sql` + `)})`;
}

/** Series the spec highlights are drawn whatever their size: greying the rest tells their story. */
function highlightedSql(source: RowSource): RawBuilder<boolean> | undefined {
  const names = source.spec.highlight ?? [];
  if (!source.seriesColumn || names.length === 0 || source.spec.y.length !== 1) return undefined;
  const key = sql.ref(source.seriesColumn.key);
  return sql<boolean>`${key}::text in (${sql.join(names.map((name) => sql`${name}`))})`;
}

const xValueSql = (source: RowSource) =>
  source.spec.x.bucket && !source.raw
    ? bucketSql(source.x, source.spec.x.bucket)
    : sql.ref(source.x.key);

async function decideFolds(source: RowSource, where: RawBuilder<boolean>[], limits: RowLimits) {
  const { db, table, fold } = source;
  const all: KeptValues = { kept: sql<boolean>`true`, folded: 0, count: 1 };
  const series = source.seriesColumn
    ? await keptValues(db, table, where, {
        key: sql.ref(source.seriesColumn.key),
        weight: weightSql(source),
        keep: Math.max(1, limits.groups - 1),
        max: limits.groups,
        first: highlightedSql(source),
      })
    : all;
  // Dates and numbers keep the first ones in x order, as a cut at one end of an axis reads
  // honestly; categories with no order of their own keep the heaviest.
  const ordered = ORDERED.includes(source.x.type);
  const categories = source.categorical
    ? await keptValues(db, table, where, {
        key: xValueSql(source),
        ...(ordered ? {} : { weight: weightSql(source) }),
        keep: fold === 'add' && !ordered ? limits.categories - 1 : limits.categories,
        max: limits.categories,
      })
    : { ...all, count: 0 };
  return { series, categories, categoriesAsOther: fold === 'add' && !ordered };
}

/** The series column's value (or its fold into "Other") and whether it was folded. */
function seriesSelect(source: RowSource, series: KeptValues): RawBuilder<unknown>[] {
  const column = source.seriesColumn;
  if (!column) return [sql`null as s`, sql`false as s_other`];
  const value = outputSql(column.key, column.type);
  if (!series.folded) return [sql`${value} as s`, sql`false as s_other`];
  return [sql`case when ${series.kept} then ${value} end as s`, sql`not ${series.kept} as s_other`];
}

function rawRows(source: RowSource, folds: Awaited<ReturnType<typeof decideFolds>>) {
  const { spec, columns, x } = source;
  const yColumns = spec.y.map((y) => resolveColumn(columns, y.column as string, []));
  const size = spec.size ? resolveColumn(columns, spec.size.column, []) : undefined;
  const selected = [
    sql`${outputSql(x.key, x.type)} as x`,
    sql`false as x_other`,
    sql`${sql.ref(x.key)} as xo`,
    sql`_row as r`,
    ...yColumns.map((column, i) => sql`${sql.ref(column.key)} as ${sql.id(`y${i}`)}`),
    ...(size ? [sql`${sql.ref(size.key)} as z`] : []),
    ...seriesSelect(source, folds.series),
  ];
  return {
    select: selected,
    order: ['xo', 'r'],
    measure: (row: Record<string, unknown>, i: number): Point => {
      const point: Point = [
        jsonCell(x.type, row.x),
        jsonCell((yColumns[i] as StoredColumn).type, row[`y${i}`]),
      ];
      if (size) point.push(jsonCell(size.type, row.z));
      return point;
    },
  };
}

function aggregatedRows(source: RowSource, folds: Awaited<ReturnType<typeof decideFolds>>) {
  const { spec, columns, x } = source;
  const xOut = outputSql(x.key, x.type, xValueSql(source));
  const { kept, folded } = folds.categories;
  const xSelect =
    folded && folds.categoriesAsOther
      ? [sql`case when ${kept} then ${xOut} end as x`, sql`not ${kept} as x_other`]
      : [sql`${xOut} as x`, sql`false as x_other`];
  const metrics = spec.y.map((y) => {
    if (!y.column) return { type: 'integer' as const, expression: sql`count(*)` };
    // The aggregated path never sees `none`: the spec's raw charts take rawRows.
    const op = y.aggregate as Exclude<typeof y.aggregate, 'none'>;
    return metricSql(op, resolveColumn(columns, y.column, []));
  });
  return {
    select: [
      ...xSelect,
      ...seriesSelect(source, folds.series),
      ...metrics.map((metric, i) => sql`${metric.expression} as ${sql.id(`y${i}`)}`),
    ],
    group: sql`group by 1, 2, 3, 4`,
    order: ['x_other', 'x'],
    measure: (row: Record<string, unknown>, i: number): Point => [
      row.x_other ? otherName(folded) : jsonCell(x.type, row.x),
      jsonCell((metrics[i] as { type: StoredColumn['type'] }).type, row[`y${i}`]),
    ],
  };
}

/**
 * The chart's rows, grouped by series, bounded in series, categories and rows whatever the data:
 * folding and sampling happen in the database over every row, so what is drawn is the largest
 * series and categories of the whole dataset, not of its first rows.
 */
export async function chartRows(source: RowSource, limits: RowLimits): Promise<ChartRows> {
  const { db, table, x, seriesColumn } = source;
  const where = source.raw
    ? [sql<boolean>`${sql.ref(x.key)} is not null`, ...source.where]
    : [...source.where];
  const folds = await decideFolds(source, where, limits);
  const filtered = [...where];
  if (folds.categories.folded && !folds.categoriesAsOther) filtered.push(folds.categories.kept);
  const shape = source.raw ? rawRows(source, folds) : aggregatedRows(source, folds);
  const inner = sql<Record<string, unknown>>`select ${sql.join(shape.select)}
    from ${sql.table(table)}
    ${filtered.length ? sql`where ${sql.join(filtered, sql` and `)}` : sql``}
    ${'group' in shape ? shape.group : sql``}`;
  const partitions = folds.series.count + (folds.series.folded ? 1 : 0) || 1;
  const { rows } = await sampledRows(
    inner,
    ['s', 's_other'],
    shape.order,
    limits.rows / partitions,
  ).execute(db);

  const groups = new Map<string, Group>();
  const sizes = new Map<string, number>();
  const otherSeries = otherName(folds.series.folded);
  for (const row of rows) {
    const name = row.s_other
      ? otherSeries
      : seriesColumn
        ? String(jsonCell(seriesColumn.type, row.s))
        : '';
    // Keyed apart from names: a real series may be called "Other (3 more)" too.
    const key = row.s_other ? OTHER_KEY : `=${name}`;
    let group = groups.get(key);
    if (!group) {
      group = { name, measures: source.spec.y.map(() => []) };
      groups.set(key, group);
      sizes.set(key, Number(row._n));
    }
    for (let i = 0; i < group.measures.length; i++) group.measures[i]?.push(shape.measure(row, i));
  }
  const totalRows = [...sizes.values()].reduce((sum, n) => sum + n, 0);
  // "Other" comes last, after the series it stands beside.
  const other = groups.get(OTHER_KEY);
  groups.delete(OTHER_KEY);
  const ordered = [...groups.values(), ...(other ? [other] : [])];
  return {
    groups: ordered,
    otherSeries: folds.series.folded,
    otherCategories: folds.categories.folded,
    totalRows,
    sampled: totalRows > rows.length,
  };
}
