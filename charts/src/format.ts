import { format as d3format, precisionFixed } from 'd3-format';
import { utcFormat } from 'd3-time-format';
import type { Bucket, Cell, NumberStyle } from './types.ts';

/**
 * One way to write numbers and dates for a chart: its axes, tooltips, value labels and the data
 * table of the pages all use these, so a value reads the same everywhere.
 */
export interface NumberOptions {
  style?: NumberStyle | 'currency';
  /** Fixed decimals (style `decimal`, `percent`, `currency`). */
  decimals?: number;
  /** Symbol written before the amount (style `currency`), e.g. "$", "€", "£". */
  currency?: string;
  /** Written before and after every value ("$", " °C"), from the chart's format. */
  prefix?: string;
  suffix?: string;
}

/** The sign before the prefix: "−$5", not "$−5". */
function affixed(text: string, options: NumberOptions): string {
  if (!options.prefix && !options.suffix) return text;
  const negative = text.startsWith(MINUS);
  const body = negative ? text.slice(1) : text;
  return `${negative ? MINUS : ''}${options.prefix ?? ''}${body}${options.suffix ?? ''}`;
}

const MINUS = '\u2212';

/** d3 writes SI prefixes (k, M, G); readers of news expect K, M, B. */
function compact(value: number, significant = 3): string {
  if (Math.abs(value) < 1000) return d3format(`.${significant}~r`)(value);
  return d3format(`.${significant}~s`)(value).replace('k', 'K').replace('G', 'B');
}

/** A value on its own (tooltip, label): at most four significant digits below 10,000. */
function auto(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e6) return compact(value);
  if (size >= 1000) return d3format(',.0f')(value);
  if (size === 0) return '0';
  return d3format(size >= 1 ? ',.4~r' : '.3~r')(value);
}

/** Formats one value in the chosen style. */
export function formatNumber(value: number, options: NumberOptions = {}): string {
  if (!Number.isFinite(value)) return '–';
  const decimals = options.decimals;
  let text: string;
  switch (options.style ?? 'auto') {
    case 'integer':
      text = d3format(',.0f')(value);
      break;
    case 'decimal':
      text = d3format(`,.${decimals ?? 2}f`)(value);
      break;
    case 'percent':
      text = d3format(decimals === undefined ? '.1~%' : `.${decimals}%`)(value);
      break;
    case 'compact':
      text = compact(value);
      break;
    case 'currency': {
      const amount = d3format(`,.${decimals ?? 2}f`)(Math.abs(value));
      text = `${value < 0 ? '-' : ''}${options.currency ?? '$'}${amount}`;
      break;
    }
    default:
      text = auto(value);
  }
  return affixed(text.replace('-', MINUS), options);
}

/**
 * A formatter for the ticks of one axis: every tick written the same way (never "5000" next to
 * "10K"), with as many decimals as the step between ticks needs and no more.
 */
export function tickFormatter(ticks: number[], options: NumberOptions = {}): (n: number) => string {
  const plain = unaffixedTicks(ticks, options);
  return (n) => affixed(plain(n), options);
}

function unaffixedTicks(ticks: number[], options: NumberOptions): (n: number) => string {
  const style = options.style ?? 'auto';
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : 1;
  const largest = Math.max(0, ...ticks.map(Math.abs));
  if (style === 'auto' || style === 'compact') {
    if (largest >= 10_000 || style === 'compact') {
      // The same unit for the whole axis, with the decimals the step needs in that unit.
      const unit = largest >= 1e9 ? 1e9 : largest >= 1e6 ? 1e6 : largest >= 1e3 ? 1e3 : 1;
      const suffix = { 1: '', 1000: 'K', 1000000: 'M', 1000000000: 'B' }[unit] ?? '';
      const digits = Math.min(6, precisionFixed(step / unit));
      // Zero needs no unit: "0", not "0K".
      return (n) =>
        n === 0 ? '0' : `${d3format(`,.${digits}f`)(n / unit)}${suffix}`.replace('-', MINUS);
    }
    const digits = Math.min(12, precisionFixed(step));
    return (n) => d3format(`,.${digits}f`)(n).replace('-', MINUS);
  }
  if (style === 'percent' && options.decimals === undefined) {
    const digits = Math.max(0, Math.min(6, precisionFixed(step * 100)));
    return (n) => d3format(`.${digits}%`)(n).replace('-', MINUS);
  }
  if (style === 'decimal') {
    // Round ticks need no fixed decimals: "£2,000", not "£2,000.0"; values keep them elsewhere.
    const digits = Math.min(options.decimals ?? 2, Math.max(0, precisionFixed(step)));
    return (n) => d3format(`,.${digits}f`)(n).replace('-', MINUS);
  }
  return (n) => formatNumber(n, { ...options, prefix: '', suffix: '' });
}

const DATE_FORMATS: Record<Bucket | 'date' | 'timestamp', (d: Date) => string> = {
  year: utcFormat('%Y'),
  month: utcFormat('%B %Y'),
  week: (d) => `Week of ${utcFormat('%a %-d %b %Y')(d)}`,
  day: utcFormat('%a %-d %b %Y'),
  hour: utcFormat('%a %-d %b %Y, %H:00'),
  date: utcFormat('%-d %b %Y'),
  timestamp: utcFormat('%-d %b %Y, %H:%M'),
};

/** Dates and timestamps as the API writes them (ISO 8601, UTC) into milliseconds. */
export function parseTime(value: Cell): number {
  const text = String(value);
  return Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
}

/** A date as a reader expects it for the chart's bucket: "2024", "March 2024", "Mon 4 Mar 2024". */
export function formatDate(value: Cell, bucket: Bucket | undefined, type: 'date' | 'timestamp') {
  const time = parseTime(value);
  if (!Number.isFinite(time)) return String(value);
  return DATE_FORMATS[bucket ?? type](new Date(time));
}

/** Any x value of a chart as text, by the type of its column. */
export function formatX(
  value: Cell,
  type: string,
  bucket: Bucket | undefined,
  number: NumberOptions = {},
): string {
  if (value === null) return '(empty)';
  if (type === 'date' || type === 'timestamp') return formatDate(value, bucket, type);
  if ((type === 'integer' || type === 'number') && typeof value === 'number') {
    return formatNumber(value, number.style === 'percent' ? number : {});
  }
  return String(value);
}
