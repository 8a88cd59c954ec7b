import { bisectLeft } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import type { NumberOptions } from './format.ts';
import { fitText, textWidth } from './text-width.ts';
import { numericTicks, timeTicks } from './ticks.ts';
import type { Bucket } from './types.ts';

export interface AxisTick {
  /** Offset along the axis in px: from the left (x), from the top (y). */
  at: number;
  label: string;
}

/** An axis laid out along a given length: where values go and which labels it shows. */
export interface PlacedAxis {
  /** Offset of a value (of a category's index, for bands). */
  scale: (value: number) => number;
  /** Width of one category, 0 on a continuous axis. */
  band: number;
  ticks: AxisTick[];
  /** Room the labels need across the axis, in px. */
  size: number;
  rotated: boolean;
  /** The values at either end of a continuous axis (ms for time); none on a band axis. */
  domain?: [number, number];
}

export type Along = 'x' | 'y';
/** An axis before layout: given its length, it chooses ticks whose labels fit. */
export type Axis = (span: number, along: Along, fontSize: number) => PlacedAxis;

const widest = (labels: string[], fontSize: number) =>
  labels.reduce((most, label) => Math.max(most, textWidth(label, fontSize)), 0);

/** A numeric axis: round ticks, from zero when `zero` (bars, areas, histograms). */
export function numberAxis(
  low: number,
  high: number,
  options: { zero?: boolean; nice?: boolean; format?: NumberOptions } = {},
): Axis {
  return (span, along, fontSize) => {
    const { domain, ticks } = numericTicks(low, high, span, {
      horizontal: along === 'x',
      fontSize,
      ...options,
    });
    const scale = scaleLinear()
      .domain(domain)
      .range(along === 'y' ? [span, 0] : [0, span]);
    return {
      scale,
      band: 0,
      ticks: ticks.map((t) => ({ at: scale(t.value), label: t.label })),
      domain: [domain[0], domain[1]],
      size:
        along === 'y'
          ? widest(
              ticks.map((t) => t.label),
              fontSize,
            )
          : fontSize * 1.3,
      rotated: false,
    };
  };
}

const DAY = 86_400_000;
/**
 * How far below the other x labels turned ones start: a turned label rises left of its end,
 * and would otherwise reach up beside the y axis's lowest label.
 */
export const TURNED_DROP = 6;

/** A time axis (ms, UTC) ticked on calendar boundaries. */
export function timeAxis(start: number, end: number, bucket?: Bucket): Axis {
  // One instant: a day either side, so it sits in the middle rather than on an edge.
  const [lo, hi] = start === end ? [start - DAY, end + DAY] : [start, end];
  return (span, _along, fontSize) => {
    const scale = scaleLinear().domain([lo, hi]).range([0, span]);
    const ticks = timeTicks(lo, hi, span, { fontSize, bucket });
    return {
      scale,
      band: 0,
      ticks: ticks.map((t) => ({ at: scale(t.value), label: t.label })),
      size: fontSize * 1.3,
      rotated: false,
      domain: [lo, hi],
    };
  };
}

/** Where labels of a band axis may go: how long a label may be, how far across they may reach. */
export interface BandOptions {
  /** Dates of the categories (ms, in order): labels then follow the calendar like a time axis. */
  times?: number[];
  bucket?: Bucket;
  /** Longest a label may be drawn, in px (cut with an ellipsis beyond). */
  labelRoom: number;
}

const GAP = 10;

/**
 * One band per category. Labels: all of them when they fit side by side; else every k-th;
 * long labels on a crowded x axis turn 45° (the last resort). Dates label the bands that fall
 * on calendar ticks, as on a time axis.
 */
export function bandAxis(labels: string[], options: BandOptions): Axis {
  return (span, along, fontSize) => {
    const count = Math.max(1, labels.length);
    const band = span / count;
    const scale = (index: number) => index * band;
    const place = (indexes: number[], cut: string[]) =>
      indexes.map((i) => ({ at: scale(i) + band / 2, label: cut[i] as string }));
    const every = (k: number) => labels.map((_, i) => i).filter((i) => i % k === 0);
    if (along === 'y') {
      const cut = labels.map((l) => fitText(l, fontSize, options.labelRoom));
      const k = Math.max(1, Math.ceil((fontSize * 1.3) / band));
      return {
        scale,
        band,
        ticks: place(every(k), cut),
        size: widest(cut, fontSize),
        rotated: false,
      };
    }
    const times = options.times;
    if (times && times.length === labels.length && times.length > 1) {
      const first = times[0] as number;
      const last = times.at(-1) as number;
      const chosen = timeTicks(first, last, span - band, { fontSize, bucket: options.bucket });
      const indexes = chosen.map((t) => Math.min(count - 1, bisectLeft(times, t.value)));
      return {
        scale,
        band,
        ticks: chosen.map((t, j) => ({
          at: scale(indexes[j] as number) + band / 2,
          label: t.label,
        })),
        size: fontSize * 1.3,
        rotated: false,
      };
    }
    const flat = labels.map((l) => fitText(l, fontSize, Math.min(140, options.labelRoom)));
    const width = widest(flat, fontSize);
    const k = Math.ceil((width + GAP) / band);
    if (k <= 1 || width <= 64) {
      return { scale, band, ticks: place(every(k), flat), size: fontSize * 1.3, rotated: false };
    }
    const room = Math.min(120, options.labelRoom);
    const slanted = labels.map((l) => fitText(l, fontSize, room));
    const step = Math.max(1, Math.ceil((fontSize * 1.5) / band));
    return {
      scale,
      band,
      ticks: place(every(step), slanted),
      size: widest(slanted, fontSize) * Math.SQRT1_2 + fontSize + TURNED_DROP,
      rotated: true,
    };
  };
}
