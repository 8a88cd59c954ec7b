import { formatX, type NumberOptions, parseTime } from './format.ts';
import { seriesColours, THEMES, type ThemeColours } from './palette.ts';
import type { Bucket, Cell, ChartData, ChartSpec, Theme } from './types.ts';

export interface Point {
  x: Cell;
  /** null: no value here (a gap in a line, no bar). */
  y: number | null;
  size?: number;
}

export interface DrawnSeries {
  name: string;
  colour: string;
  points: Point[];
  /** Greyed out because the spec highlights other series. */
  muted: boolean;
}

/** How x is drawn: along time, along numbers, or one place per category. */
export type XKind = 'time' | 'number' | 'category';

/** What every chart type draws from: the series with their colours, and how to read x. */
export interface Model {
  spec: ChartSpec;
  data: ChartData;
  theme: Theme;
  colours: ThemeColours;
  series: DrawnSeries[];
  xKind: XKind;
  bucket?: Bucket;
  number: NumberOptions;
  /** An x value as a position on a continuous axis (ms for time). */
  xValue: (value: Cell) => number;
  /** An x value as a reader reads it in labels and tooltips. */
  xText: (value: Cell) => string;
}

const TIME_TYPES = new Set(['date', 'timestamp']);
const NUMBER_TYPES = new Set(['integer', 'number']);

/**
 * The largest size drawn: a quarter of the largest double, so that the distance between any
 * two values (an axis's span) is still a finite number. Values near 1.8e308 are legal in a
 * dataset; drawn as they are, their span is Infinity and every position NaN.
 */
const LARGEST = Number.MAX_VALUE / 4;
export const drawable = (n: number) => Math.max(-LARGEST, Math.min(LARGEST, n));

/** A y from the API (a number, or null; anything else read as a number or dropped). */
function yOf(cell: Cell | undefined): number | null {
  if (cell === null || cell === undefined || typeof cell === 'boolean') return null;
  const n = typeof cell === 'number' ? cell : Number(cell);
  return Number.isFinite(n) ? drawable(n) : null;
}

/**
 * The series in the order of the chart as first drawn, those it did not have after them: the
 * legend, the stacks and the colours of a zoomed range stay where the reader saw them.
 */
function inFirstOrder(data: ChartData, colourOrder: string[]): ChartData {
  if (!colourOrder.length) return data;
  const rank = new Map(colourOrder.map((name, i) => [name, i]));
  const at = (name: string) => rank.get(name) ?? Number.POSITIVE_INFINITY;
  const series = data.series
    .map((s, i) => ({ s, i }))
    .sort((a, b) => at(String(a.s.name)) - at(String(b.s.name)) || a.i - b.i)
    .map(({ s }) => s);
  return { ...data, series };
}

/** The name shown for the series of rows whose series column is empty. */
export const EMPTY_NAME = '(empty)';

export function buildModel(
  spec: ChartSpec,
  drawnData: ChartData,
  theme: Theme,
  colourOrder: string[] = [],
): Model {
  const data = inFirstOrder(drawnData, colourOrder);
  const type = data.x.type;
  const xKind: XKind = TIME_TYPES.has(type)
    ? 'time'
    : NUMBER_TYPES.has(type) && spec.type !== 'bar'
      ? 'number'
      : 'category';
  const names = data.series.map((s) => String(s.name));
  const own = Object.fromEntries((spec.colors ?? []).map((c) => [c.series, c.color]));
  const colours = seriesColours(names, theme, own, colourOrder);
  const highlighted = new Set(spec.highlight ?? []);
  // A highlight naming no drawn series would grey everything: then nothing is greyed.
  const highlighting = names.some((n) => highlighted.has(n));
  const number = numberOptions(spec);
  const bucket = spec.x.bucket;
  return {
    spec,
    data,
    theme,
    colours: THEMES[theme],
    xKind,
    bucket,
    number,
    series: data.series.map((s, i) => ({
      // Rows whose series column is empty: named for a reader, not `null`.
      name: s.name === null ? EMPTY_NAME : (names[i] as string),
      muted: highlighting && !highlighted.has(names[i] as string),
      colour:
        highlighting && !highlighted.has(names[i] as string)
          ? THEMES[theme].other
          : (colours[i] as string),
      points: s.points.map((p) => {
        const size = yOf(p[2]);
        return { x: p[0] ?? null, y: yOf(p[1]), ...(size === null ? {} : { size }) };
      }),
    })),
    xValue: TIME_TYPES.has(type) ? (v) => parseTime(v) : (v) => drawable(Number(v)),
    xText: (v) => formatX(v, type, bucket),
  };
}

/** How the chart writes its values, from the spec's format. */
export function numberOptions(spec: ChartSpec): NumberOptions {
  const format = spec.format ?? { number: 'auto' };
  const style = format.number ?? 'auto';
  return {
    // Decimals asked for on an automatic format mean fixed decimals.
    style: format.decimals !== undefined && style === 'auto' ? 'decimal' : style,
    decimals: format.decimals,
    prefix: format.prefix,
    suffix: format.suffix,
  };
}

/** Lowest and highest of the numbers given, in one pass (spreading a long array overflows). */
export function extentOf(values: Iterable<number>): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low <= high ? [low, high] : [0, 1];
}

/** Every y value of every series. */
export function* allY(series: DrawnSeries[]): Generator<number> {
  for (const s of series) for (const p of s.points) if (p.y !== null) yield p.y;
}

/** The categories along x in their first-seen order (the API sends them in x order). */
export function categoriesOf(series: DrawnSeries[]): Cell[] {
  const seen = new Map<string, Cell>();
  for (const s of series)
    for (const p of s.points) if (!seen.has(key(p.x))) seen.set(key(p.x), p.x);
  return [...seen.values()];
}

/** A category's identity: null and "null" are different categories. */
export const key = (value: Cell): string => (value === null ? '\u0000null' : String(value));
