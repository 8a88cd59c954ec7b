import type { z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { type Filter, filterSql, QueryInputError, resolveColumn } from '../datasets/row-query.ts';
import type { Database, StoredColumn } from '../db/schema.ts';
import { chartRows } from './chart-rows.ts';
import { type ChartSpec, NUMERIC, TIME } from './chart-spec.ts';
import type { ChartDataSchema } from './charts.schemas.ts';
import { downsampleMinMax, stride } from './downsample.ts';
import { histogram } from './histogram.ts';

export type { ChartSpec } from './chart-spec.ts';
export { validateSpec } from './chart-spec.ts';

type ChartData = z.output<typeof ChartDataSchema>;
type Cell = string | number | boolean | null;

/**
 * Series drawn when the spec does not say (`series.max`): about as many as a palette keeps
 * apart; beyond them the rest fold into "Other".
 */
export const DEFAULT_DRAWN_SERIES = 12;

export interface DataOptions {
  maxPoints: number;
  /** Most series one answer may draw (the server's cap over any `series.max`). */
  maxSeries: number;
  /** Most distinct x values of a bar, pie or category chart. */
  maxCategories: number;
  /** Most rows or groups read from the database before sampling (see chart-rows.ts). */
  maxRowsRead: number;
  from?: string;
  to?: string;
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
    try {
      filterSql(columns, [filter], ['query', name]);
    } catch (error) {
      if (!(error instanceof QueryInputError)) throw error;
      // The parameter is one value, not a list of filters: its place is `query.to`, say.
      throw new QueryInputError(error.errors.map((item) => ({ ...item, loc: ['query', name] })));
    }
    range.push(filter);
  }
  return range;
}

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
  const xName = spec.x.bucket ? `${x.label ?? x.name} (${spec.x.bucket})` : (x.label ?? x.name);
  const base = { chart_id: chart.id, type: spec.type, x: { name: xName, type: x.type } };

  if (spec.type === 'histogram') {
    const drawn = await histogram({ db, spec, table, x, where });
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
  const categorical =
    spec.type === 'bar' ||
    spec.type === 'pie' ||
    (!NUMERIC.includes(x.type) && !TIME.includes(x.type));
  const drawnSeries = Math.min(spec.series?.max ?? DEFAULT_DRAWN_SERIES, options.maxSeries);
  const read = await chartRows(
    {
      db,
      spec,
      table,
      columns,
      x,
      where,
      seriesColumn,
      raw,
      categorical,
      fold: raw ? 'merge' : 'add',
    },
    // Each group draws one series per measure: the cap counts series, not groups.
    {
      groups: Math.max(1, Math.floor(drawnSeries / spec.y.length)),
      categories: options.maxCategories,
      rows: options.maxRowsRead,
    },
  );

  const names = spec.y.map((y) => measureName(y, columns));
  const series = read.groups.flatMap((group) =>
    group.measures.map((points, i) => ({
      name: seriesColumn
        ? spec.y.length > 1
          ? `${group.name} · ${names[i]}`
          : group.name
        : (names[i] as string),
      points: points as Cell[][],
    })),
  );
  const total = read.totalRows * spec.y.length;
  // Two points per series at the least (its ends), however small `max_points` is.
  const budget = Math.max(2, Math.floor(options.maxPoints / Math.max(1, series.length)));
  const drawn = series.reduce((sum, s) => sum + s.points.length, 0);
  // Rows the database sampled evenly are, like a scatter's, every n-th: no min or max kept.
  const method = spec.type === 'scatter' || read.sampled ? 'stride' : 'minmax';
  const thinned =
    drawn > options.maxPoints &&
    (spec.type === 'line' || spec.type === 'area' || spec.type === 'scatter');
  const downsampled = thinned || read.sampled;
  return {
    ...base,
    bin_width: null,
    series: thinned
      ? series.map((s) => ({
          name: s.name,
          points:
            spec.type === 'scatter' ? stride(s.points, budget) : downsampleMinMax(s.points, budget),
        }))
      : series,
    downsampled,
    method: downsampled ? method : 'none',
    total_points: total,
    other_series: read.otherSeries,
    other_categories: read.otherCategories,
  };
}
