import { stack, stackOffsetDiverging } from 'd3-shape';
import { bandAxis, numberAxis } from '../axes.ts';
import { type Drawn, layoutCartesian } from '../cartesian.ts';
import { formatNumber } from '../format.ts';
import type { Box } from '../frame.ts';
import { categoriesOf, extentOf, key, type Model } from '../model.ts';
import { el, finite, tip } from '../svg.ts';
import type { Cell } from '../types.ts';
import { yTitle } from './line.ts';

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
  const [lo, hi] = extentOf(bars.flatMap((b) => [b.from, b.to]));
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
  const marks = bars.map((bar) => {
    const series = model.series[bar.series];
    if (!series) return '';
    const start =
      bandAxisPlaced.scale(bar.category) +
      (step * (1 - inner)) / 2 +
      (stacked ? 0 : thickness * bar.series);
    const a = valueAxisPlaced.scale(bar.from);
    const b = valueAxisPlaced.scale(bar.to);
    const label = `${labels[bar.category]} · ${series.name}: ${formatNumber(bar.value, model.number)}`;
    const box = horizontal
      ? { x: plot.x + Math.min(a, b), y: plot.y + start, width: Math.abs(b - a), height: thickness }
      : {
          x: plot.x + start,
          y: plot.y + Math.min(a, b),
          width: thickness,
          height: Math.abs(b - a),
        };
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
  return {
    markup: chart.under + el('g', { class: 'marks' }, marks.join('')) + chart.over,
    plot: chart.plot,
    x: chart.x,
  };
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
