import { stack, stackOffsetDiverging } from 'd3-shape';
import { annotatedValues, drawAnnotations } from '../annotations.ts';
import { bandAxis, numberAxis } from '../axes.ts';
import { type Drawn, layoutCartesian } from '../cartesian.ts';
import { px } from '../escape.ts';
import { formatNumber } from '../format.ts';
import { type Box, FONT } from '../frame.ts';
import { categoriesOf, extentOf, key, type Model } from '../model.ts';
import { inkOn } from '../palette.ts';
import { columnStops } from '../reading.ts';
import { type Attrs, el, finite, text, tip } from '../svg.ts';
import { textWidth } from '../text-width.ts';
import type { Cell } from '../types.ts';
import { yTitle } from './y-title.ts';

/** One bar of one series: where it starts and ends along the value axis. */
interface Bar {
  category: number;
  series: number;
  from: number;
  to: number;
  value: number;
}

/** Bar charts: vertical or horizontal, series grouped side by side or stacked. */
export function drawBar(model: Model, region: Box, width: number): Drawn {
  const horizontal = model.spec.bar?.orientation === 'horizontal';
  const stacked = model.spec.bar?.mode === 'stacked';
  const categories = orderedCategories(model);
  const index = new Map(categories.map((c, i) => [key(c), i]));
  const bars = stacked ? stackedBars(model, index, categories.length) : plainBars(model, index);
  const [low, high] = extentOf(bars.flatMap((b) => [b.from, b.to]));
  // Room for values written past the ends of the longest bars.
  const room = model.spec.labels && !stacked ? (high - Math.min(0, low)) * 0.1 : 0;
  const [lo, hi] = extentOf([
    low - (low < 0 ? room : 0),
    high + (high > 0 ? room : 0),
    ...annotatedValues(model.spec),
  ]);
  const labels = categories.map(model.xText);
  const times =
    model.xKind === 'time' && !horizontal ? categories.map((c) => model.xValue(c)) : undefined;
  const band = bandAxis(labels, {
    labelRoom: horizontal ? region.w * 0.35 : region.h * 0.3,
    times: times?.every(Number.isFinite) ? times : undefined,
    bucket: model.bucket,
  });
  const values = numberAxis(lo, hi, { zero: true, format: model.number });
  const chart = layoutCartesian(
    region,
    {
      x: horizontal ? values : band,
      y: horizontal ? band : values,
      values: horizontal ? 'x' : 'y',
      xTitle: horizontal ? yTitle(model) : model.spec.format?.x_label || model.data.x.name,
      yTitle: horizontal ? model.spec.format?.x_label || undefined : yTitle(model),
    },
    model.colours,
    width,
  );
  const { plot } = chart;
  const bandAxisPlaced = horizontal ? chart.y : chart.x;
  const valueAxisPlaced = horizontal ? chart.x : chart.y;
  const step = bandAxisPlaced.band;
  // Bars take 80% of their band; below a pixel or two the gaps would only blur them.
  const inner = step >= 4 ? 0.8 : 1;
  const groups = stacked ? 1 : Math.max(1, model.series.length);
  const thickness = (step * inner) / groups;
  const place = (bar: Bar) => {
    const start =
      bandAxisPlaced.scale(bar.category) +
      (step * (1 - inner)) / 2 +
      (stacked ? 0 : thickness * bar.series);
    return { start, a: valueAxisPlaced.scale(bar.from), b: valueAxisPlaced.scale(bar.to) };
  };
  const marks = bars.map((bar) => {
    const series = model.series[bar.series];
    if (!series) return '';
    const { start, a, b } = place(bar);
    const label = `${labels[bar.category]} · ${series.name}: ${formatNumber(bar.value, model.number)}`;
    const [from, length] = [Math.min(a, b), Math.abs(b - a)];
    const box = horizontal
      ? { x: plot.x + from, y: plot.y + start, width: length, height: thickness }
      : { x: plot.x + start, y: plot.y + from, width: thickness, height: length };
    return el(
      'rect',
      {
        x: finite(box.x),
        y: finite(box.y),
        width: finite(box.width),
        height: finite(box.height),
        fill: series.colour,
        'data-series': bar.series,
      },
      tip(label),
    );
  });
  const written = model.spec.labels
    ? valueLabels(model, bars, { plot, horizontal, stacked, thickness, place })
    : '';
  const notes = drawAnnotations(model, {
    plot,
    along: (cell) => {
      const i = findCategory(model, categories, index, cell);
      return i === undefined ? undefined : bandAxisPlaced.scale(i) + step / 2;
    },
    value: valueAxisPlaced.scale,
    horizontal,
  });
  // Each category is read at the end of its longest bar, or at the top of its stack.
  const ends = new Map<string, number>();
  for (const bar of bars) {
    const { a, b } = place(bar);
    ends.set(`${bar.series}:${bar.category}`, horizontal ? Math.max(a, b) : Math.min(a, b));
  }
  const offset = horizontal ? { along: plot.y, across: plot.x } : { along: plot.x, across: plot.y };
  const stops = columnStops(
    model,
    (si, p) => {
      const category = index.get(key(p.x));
      const end = category === undefined ? undefined : ends.get(`${si}:${category}`);
      if (category === undefined || end === undefined) return undefined;
      return [offset.along + bandAxisPlaced.scale(category) + step / 2, offset.across + end];
    },
    { horizontal, total: stacked },
  );
  return {
    markup:
      chart.under + el('g', { class: 'marks' }, marks.join('')) + written + notes + chart.over,
    plot: chart.plot,
    x: chart.x,
    reading: { pick: horizontal ? 'y' : 'x', stops },
  };
}

/** The category an annotation names: the same value, or for dates the nearest one. */
function findCategory(model: Model, categories: Cell[], index: Map<string, number>, cell: Cell) {
  const exact = index.get(key(cell)) ?? index.get(key(String(cell)));
  if (exact !== undefined || model.xKind !== 'time') return exact;
  const at = model.xValue(cell);
  if (!Number.isFinite(at) || categories.length === 0) return undefined;
  let best = 0;
  categories.forEach((c, i) => {
    const here = Math.abs(model.xValue(c) - at);
    if (here < Math.abs(model.xValue(categories[best] as Cell) - at)) best = i;
  });
  return best;
}

interface LabelLayout {
  plot: Box;
  horizontal: boolean;
  stacked: boolean;
  thickness: number;
  place: (bar: Bar) => { start: number; a: number; b: number };
}

/**
 * Each bar's value, where it fits: past the end of a bar (inside it when the plot ends
 * first), or in the middle of a stacked segment; left out where the bar is too thin to hold it.
 */
function valueLabels(model: Model, bars: Bar[], layout: LabelLayout): string {
  const { plot, horizontal, stacked, thickness } = layout;
  const font = FONT.tick;
  const out: string[] = [];
  for (const bar of bars) {
    const label = formatNumber(bar.value, model.number);
    const wide = textWidth(label, font);
    const { start, a, b } = layout.place(bar);
    const length = Math.abs(b - a);
    const middle = start + thickness / 2;
    const ink = inkOn(model.series[bar.series]?.colour ?? '');
    const inside = { fill: ink, 'font-size': font, 'text-anchor': 'middle' };
    const outside = { fill: model.colours.text, 'font-size': font };
    if (horizontal) {
      if (thickness < font + 2) continue;
      const y = plot.y + middle + font * 0.35;
      const end = plot.x + Math.max(a, b);
      if (stacked) {
        if (length >= wide + 6) out.push(text(plot.x + (a + b) / 2, y, label, inside));
      } else if (end + 4 + wide <= plot.x + plot.w) {
        out.push(text(end + 4, y, label, { ...outside, 'text-anchor': 'start' }));
      } else if (length >= wide + 8) {
        out.push(text(end - 4, y, label, { ...inside, 'text-anchor': 'end' }));
      }
      continue;
    }
    const x = plot.x + middle;
    if (thickness < wide + 2) {
      if (!stacked)
        out.push(...turnedLabel(label, bar, { x, a, b, plot, thickness, inside, outside }));
      continue;
    }
    if (stacked) {
      if (length >= font + 4) out.push(text(x, plot.y + (a + b) / 2 + font * 0.35, label, inside));
    } else if (bar.value >= 0) {
      out.push(
        text(x, plot.y + Math.min(a, b) - 4, label, { ...outside, 'text-anchor': 'middle' }),
      );
    } else {
      out.push(
        text(x, plot.y + Math.max(a, b) + font, label, { ...outside, 'text-anchor': 'middle' }),
      );
    }
  }
  return el('g', { class: 'value-labels' }, out.join(''));
}

/**
 * A value on a column too narrow to write it across (many bars on a phone): written upwards,
 * above a short bar, inside a long one; left out where the column is thinner than the letters
 * are tall, or neither place has the room.
 */
function turnedLabel(
  label: string,
  bar: Bar,
  at: {
    x: number;
    a: number;
    b: number;
    plot: Box;
    thickness: number;
    inside: Attrs;
    outside: Attrs;
  },
): string[] {
  const { x, plot } = at;
  const font = FONT.tick;
  const wide = textWidth(label, font);
  if (at.thickness < font + 2) return [];
  const top = plot.y + Math.min(at.a, at.b);
  const bottom = plot.y + Math.max(at.a, at.b);
  const length = bottom - top;
  // Turned, the letters' middle sits on the column's middle.
  const column = x + font * 0.35;
  const turned = (y: number, anchor: string, attrs: Attrs) =>
    text(column, y, label, {
      ...attrs,
      'text-anchor': anchor,
      transform: `rotate(-90 ${px(column)} ${px(y)})`,
    });
  if (bar.value >= 0) {
    if (top - plot.y >= wide + 6) return [turned(top - 4, 'start', at.outside)];
    if (length >= wide + 8) return [turned(top + 4, 'end', at.inside)];
    return [];
  }
  if (plot.y + plot.h - bottom >= wide + 6) return [turned(bottom + 4, 'end', at.outside)];
  if (length >= wide + 8) return [turned(bottom - 4, 'start', at.inside)];
  return [];
}

/** Categories in x order: dates and numbers ascending, text as the API ranked it. */
function orderedCategories(model: Model): Cell[] {
  const categories = categoriesOf(model.series);
  if (model.xKind === 'time' || model.data.x.type === 'integer' || model.data.x.type === 'number') {
    const ranked = categories.map((c) => ({ c, at: model.xValue(c) }));
    if (ranked.every((r) => Number.isFinite(r.at))) {
      return ranked.sort((a, b) => a.at - b.at).map((r) => r.c);
    }
  }
  return categories;
}

function plainBars(model: Model, index: Map<string, number>): Bar[] {
  const bars: Bar[] = [];
  model.series.forEach((s, si) => {
    for (const p of s.points) {
      if (p.y === null) continue;
      bars.push({ category: index.get(key(p.x)) ?? 0, series: si, from: 0, to: p.y, value: p.y });
    }
  });
  return bars;
}

/** Stacks per category; negative values stack downwards from zero, positive ones upwards. */
function stackedBars(model: Model, index: Map<string, number>, count: number): Bar[] {
  const table: (number | null)[][] = Array.from({ length: count }, () =>
    model.series.map(() => null),
  );
  model.series.forEach((s, si) => {
    for (const p of s.points) {
      const row = table[index.get(key(p.x)) ?? 0];
      if (row && p.y !== null) row[si] = (row[si] ?? 0) + p.y;
    }
  });
  const layers = stack<(number | null)[], number>()
    .keys(model.series.map((_, i) => i))
    .value((row, i) => row[i] ?? 0)
    .offset(stackOffsetDiverging)(table);
  const bars: Bar[] = [];
  layers.forEach((layer, si) => {
    layer.forEach((d, category) => {
      const value = table[category]?.[si];
      if (value === null || value === undefined) return;
      bars.push({ category, series: si, from: d[0], to: d[1], value });
    });
  });
  return bars;
}
