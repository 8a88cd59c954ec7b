import { formatNumber } from './format.ts';
import type { Box } from './frame.ts';
import { FONT } from './frame.ts';
import type { Model } from './model.ts';
import { el, finite, text } from './svg.ts';
import { fitText } from './text-width.ts';
import type { Cell, ChartSpec } from './types.ts';

export type Annotation = NonNullable<ChartSpec['annotations']>[number];

/** Values the value axis must reach so that every reference line and note is inside the plot. */
export function annotatedValues(spec: ChartSpec): number[] {
  return (spec.annotations ?? []).flatMap((a) =>
    a.type === 'line' ? [a.value] : a.type === 'note' ? [a.y] : [],
  );
}

/** Where things go in the plot: an x (a category, a date, a number) and a value, in px. */
export interface Placement {
  plot: Box;
  /** Offset along the x (or category) axis, undefined when the value is not on it. */
  along: (x: Cell) => number | undefined;
  /** Offset along the value axis. */
  value: (y: number) => number;
  /** Horizontal bars: values run along x, categories down y. */
  horizontal: boolean;
}

const DASH = '4 3';

/**
 * Reference lines, shaded ranges and notes, over the marks. Labels sit inside the plot and are
 * cut to the room they have; an annotation the axes cannot place is left out.
 */
export function drawAnnotations(model: Model, at: Placement): string {
  const { plot, horizontal } = at;
  const ink = model.colours.text;
  const style = { 'font-size': FONT.note, fill: ink, class: 'annotation' };
  // In plot coordinates: `a` along categories/x, `v` along values.
  const point = (a: number, v: number) =>
    horizontal ? { x: plot.x + v, y: plot.y + a } : { x: plot.x + a, y: plot.y + v };
  const out: string[] = [];
  for (const note of model.spec.annotations ?? []) {
    if (note.type === 'line') {
      const v = at.value(note.value);
      const from = point(0, v);
      const to = point(horizontal ? plot.h : plot.w, v);
      out.push(
        el('line', {
          x1: finite(from.x),
          y1: finite(from.y),
          x2: finite(to.x),
          y2: finite(to.y),
          stroke: ink,
          'stroke-dasharray': DASH,
        }),
      );
      const label = note.label ?? formatNumber(note.value, model.number);
      const room = horizontal ? plot.h : plot.w - 8;
      const cut = fitText(label, FONT.note, room);
      out.push(
        horizontal
          ? text(from.x + 4, plot.y + FONT.note, cut, style)
          : text(plot.x + plot.w - 4, from.y - 4, cut, { ...style, 'text-anchor': 'end' }),
      );
    } else if (note.type === 'range') {
      const a = at.along(note.from);
      const b = at.along(note.to);
      if (a === undefined || b === undefined) continue;
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const box = horizontal
        ? { x: plot.x, y: plot.y + lo, width: plot.w, height: Math.max(1, hi - lo) }
        : { x: plot.x + lo, y: plot.y, width: Math.max(1, hi - lo), height: plot.h };
      out.push(
        el('rect', {
          x: finite(box.x),
          y: finite(box.y),
          width: finite(box.width),
          height: finite(box.height),
          fill: ink,
          'fill-opacity': 0.07,
        }),
      );
      if (note.label) {
        const cut = fitText(note.label, FONT.note, Math.max(box.width - 8, 40));
        out.push(text(box.x + 4, box.y + FONT.note + 2, cut, style));
      }
    } else {
      const a = at.along(note.x);
      if (a === undefined) continue;
      const p = point(a, at.value(note.y));
      out.push(el('circle', { cx: finite(p.x), cy: finite(p.y), r: 3.5, fill: ink }));
      const cut = fitText(note.label, FONT.note, Math.max(40, plot.w / 2));
      // The label goes on the side of the point with more room.
      const right = p.x - plot.x < plot.w / 2;
      const x = right ? p.x + 7 : p.x - 7;
      const y = Math.max(plot.y + FONT.note, p.y - 6);
      out.push(text(x, y, cut, { ...style, 'text-anchor': right ? 'start' : 'end' }));
    }
  }
  return out.length ? el('g', { class: 'annotations' }, out.join('')) : '';
}

/** What the annotations say, for the description a screen reader reads. */
export function describeAnnotations(model: Model): string[] {
  return (model.spec.annotations ?? []).map((a) => {
    if (a.type === 'line') {
      const value = formatNumber(a.value, model.number);
      return `Reference line at ${value}${a.label ? `: ${a.label}` : ''}.`;
    }
    if (a.type === 'range') {
      return `Highlighted from ${model.xText(a.from)} to ${model.xText(a.to)}${a.label ? `: ${a.label}` : ''}.`;
    }
    return `Note at ${model.xText(a.x)}, ${formatNumber(a.y, model.number)}: ${a.label}.`;
  });
}
