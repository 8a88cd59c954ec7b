import { scaleLinear } from 'd3-scale';
import {
  type CountableTimeInterval,
  utcDay,
  utcHour,
  utcMinute,
  utcMonth,
  utcWeek,
  utcYear,
} from 'd3-time';
import { utcFormat } from 'd3-time-format';
import { type NumberOptions, tickFormatter } from './format.ts';
import { textWidth } from './text-width.ts';
import type { Bucket } from './types.ts';

export interface Tick {
  value: number;
  label: string;
}

/** Room between two neighbouring labels on a horizontal axis, in px. */
const GAP = 10;

/** Whether labels centred on their positions along `span` px leave GAP between neighbours. */
function fits(ticks: Tick[], position: (v: number) => number, fontSize: number): boolean {
  for (let i = 1; i < ticks.length; i++) {
    const a = ticks[i - 1] as Tick;
    const b = ticks[i] as Tick;
    const room = Math.abs(position(b.value) - position(a.value));
    const need = (textWidth(a.label, fontSize) + textWidth(b.label, fontSize)) / 2 + GAP;
    if (room < need) return false;
  }
  return true;
}

export interface NumericAxis {
  domain: [number, number];
  ticks: Tick[];
}

/**
 * Round ticks (1, 2, 5 × 10ⁿ) over [low, high], the domain widened to the outer ticks. As many
 * as fit: along a horizontal axis until the labels would touch, along a vertical one about
 * every 40 px.
 */
export function numericTicks(
  low: number,
  high: number,
  span: number,
  options: {
    horizontal: boolean;
    fontSize: number;
    format?: NumberOptions;
    zero?: boolean;
    /** false: the domain stays [low, high] (a histogram's bins), ticks at round values inside. */
    nice?: boolean;
  },
): NumericAxis {
  let lo = Number.isFinite(low) ? low : 0;
  let hi = Number.isFinite(high) ? high : 1;
  if (options.zero) {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  if (lo === hi) {
    // One value: a range around it (a unit, or a tenth of the value) rather than none.
    const pad = lo === 0 ? 1 : Math.abs(lo) / 10;
    lo -= options.zero && lo >= 0 ? 0 : pad;
    hi += pad;
  }
  const most = Math.max(2, Math.floor(span / (options.horizontal ? 50 : 40)));
  for (let count = most; count >= 1; count--) {
    const scale = scaleLinear().domain([lo, hi]);
    if (options.nice !== false) scale.nice(count);
    const values = scale.ticks(count);
    const format = tickFormatter(values, options.format);
    const ticks = values.map((value) => ({ value, label: format(value) }));
    const [d0, d1] = scale.domain() as [number, number];
    const position = (v: number) => ((v - d0) / (d1 - d0 || 1)) * span;
    if (!options.horizontal || fits(ticks, position, options.fontSize) || count === 1) {
      return { domain: [d0, d1], ticks };
    }
  }
  return { domain: [lo, hi], ticks: [] };
}

interface Candidate {
  interval: CountableTimeInterval;
  /** Roughly how long one step is, in ms, to skip steps finer than the data's bucket. */
  ms: number;
  label: (d: Date) => string;
  /** The first tick's label when no tick names the larger unit (the year, the day). */
  first: (d: Date) => string;
  /** Whether the tick at `d` is labelled with the larger unit. */
  marks: (d: Date) => boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ofYear = utcFormat('%Y');
const isMidnight = (d: Date) => d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
const isNewYear = (d: Date) => d.getUTCMonth() === 0 && d.getUTCDate() === 1;
const monthLabel = (d: Date) => (d.getUTCMonth() === 0 ? ofYear(d) : utcFormat('%b')(d));
const dayLabel = (d: Date) => (isNewYear(d) ? ofYear(d) : utcFormat('%-d %b')(d));
const hourLabel = (d: Date) => (isMidnight(d) ? utcFormat('%-d %b')(d) : utcFormat('%H:%M')(d));

const withDay = utcFormat('%-d %b %H:%M');
const withYear = utcFormat('%-d %b %Y');

const every = (interval: CountableTimeInterval, n: number) =>
  (n === 1 ? interval : interval.every(n)) as CountableTimeInterval;

/** Calendar steps from fine to coarse, each with the label a reader expects at that step. */
const CANDIDATES: Candidate[] = [
  ...[1, 5, 15, 30].map((n) => ({
    interval: every(utcMinute, n),
    ms: n * 60_000,
    label: hourLabel,
    first: withDay,
    marks: isMidnight,
  })),
  ...[1, 3, 6, 12].map((n) => ({
    interval: every(utcHour, n),
    ms: n * HOUR,
    label: hourLabel,
    first: withDay,
    marks: isMidnight,
  })),
  ...[1, 2].map((n) => ({
    interval: every(utcDay, n),
    ms: n * DAY,
    label: dayLabel,
    first: withYear,
    marks: isNewYear,
  })),
  { interval: utcWeek, ms: 7 * DAY, label: dayLabel, first: withYear, marks: isNewYear },
  ...[1, 3, 6].map((n) => ({
    interval: every(utcMonth, n),
    ms: n * 30 * DAY,
    label: monthLabel,
    first: utcFormat('%b %Y'),
    marks: (d: Date) => d.getUTCMonth() === 0,
  })),
  ...[1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000].map((n) => ({
    interval: every(utcYear, n),
    ms: n * 365 * DAY,
    label: ofYear,
    first: ofYear,
    marks: () => true,
  })),
];

const BUCKET_MS: Record<Bucket, number> = {
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
  month: 28 * DAY,
  year: 365 * DAY,
};

/**
 * Ticks on calendar boundaries over [start, end] (ms, UTC): the finest step whose labels fit
 * in `span` px, never finer than the data's bucket (a monthly series is ticked by months or
 * more). Months read "Jan, Feb…" with the year at January; years "2023"; days "4 Mar".
 */
export function timeTicks(
  start: number,
  end: number,
  span: number,
  options: { fontSize: number; bucket?: Bucket },
): Tick[] {
  if (!Number.isFinite(start) || !Number.isFinite(end)) return [];
  const floor = options.bucket ? BUCKET_MS[options.bucket] : 0;
  const position = (v: number) => ((v - start) / (end - start || 1)) * span;
  for (const candidate of CANDIDATES) {
    if (candidate.ms < floor * 0.9) continue;
    // No denser than one tick per ~55 px, as on numeric axes: a phone reads years, not
    // "2022 Jul 2023 Jul"; and far too many steps are skipped before their dates are built.
    if ((end - start) / candidate.ms > Math.max(2, span / 55)) continue;
    const dates = candidate.interval.range(new Date(start), new Date(end + 1));
    const ticks = dates.map((d) => ({ value: d.getTime(), label: candidate.label(d) }));
    const first = dates[0];
    if (first && !dates.some(candidate.marks)) {
      // Nothing names the year (or the day) yet: the first tick does.
      (ticks[0] as Tick).label = candidate.first(first);
    }
    if (ticks.length <= 1 || fits(ticks, position, options.fontSize)) return ticks;
  }
  return [];
}
