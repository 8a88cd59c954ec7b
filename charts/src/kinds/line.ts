import { max } from 'd3-array';
import { area, line, stack, stackOffsetNone } from 'd3-shape';
import { annotatedValues } from '../annotations.ts';
import { numberAxis } from '../axes.ts';
import type { Drawn } from '../cartesian.ts';
import { formatNumber } from '../format.ts';
import type { Box } from '../frame.ts';
import { allY, extentOf, key, type Model, type Point } from '../model.ts';
import { columnStops } from '../reading.ts';
import { el, finite, tip } from '../svg.ts';
import { drawnAlongX, layoutAlongX, xPlacement } from './x-axis.ts';

/** Line and area charts: one path per series; areas stacked on request. */
export function drawLine(model: Model, region: Box, width: number): Drawn {
  const isArea = model.spec.type === 'area';
  const stacked = isArea && model.spec.stacked === true;
  const x = xPlacement(model, region);
  const layers = stacked ? stackLayers(model, x.value) : undefined;
  const [lo, hi] = layers
    ? extentOf(layers.flatMap((layer) => layer.flatMap((d) => [d[0], d[1]])))
    : extentOf(allY(model.series));
  const [low, high] = extentOf([lo, hi, ...annotatedValues(model.spec)]);
  const chart = layoutAlongX(
    model,
    region,
    width,
    x,
    numberAxis(low, high, { zero: isArea, format: model.number }),
  );
  const { plot } = chart;
  const X = (value: number) =>
    finite(plot.x + chart.x.scale(value) + (x.categorical ? chart.x.band / 2 : 0));
  const Y = (value: number) => finite(plot.y + chart.y.scale(value));
  // Areas fill down to zero, or to the axis's end nearest it when zero is not on the axis.
  const [bottom, topmost] = chart.y.domain ?? [0, 0];
  const base = Y(Math.max(bottom, Math.min(0, topmost)));
  const marks: string[] = [];
  // Many translucent areas over each other read as a smear: the more there are, the fainter.
  const fill = stacked ? 0.85 : model.series.length <= 3 ? 0.3 : 0.12;
  // Greyed series first, so the highlighted ones are drawn over them.
  const order = model.series.map((_, i) => i);
  if (!layers)
    order.sort((a, b) => Number(model.series[b]?.muted) - Number(model.series[a]?.muted));
  for (const i of order) {
    const series = model.series[i] as Model['series'][number];
    const defined = (p: Point) => p.y !== null && Number.isFinite(x.value(p.x));
    const at = (p: Point) => X(x.value(p.x));
    let shape = '';
    if (layers) {
      const layer = layers[i] ?? [];
      const d = area<(typeof layer)[number]>()
        .x((row) => X(row.data.x))
        .y0((row) => Y(row[0]))
        .y1((row) => Y(row[1]))(layer);
      shape += el('path', { d, fill: series.colour, 'fill-opacity': fill, stroke: 'none' });
    } else if (isArea) {
      const d = area<Point>()
        .defined(defined)
        .x(at)
        .y0(base)
        .y1((p) => Y(p.y as number))(series.points);
      shape += el('path', { d, fill: series.colour, 'fill-opacity': fill, stroke: 'none' });
    }
    const path = layers
      ? line<(typeof layers)[number][number]>()
          .x((row) => X(row.data.x))
          .y((row) => Y(row[1]))(layers[i] ?? [])
      : line<Point>()
          .defined(defined)
          .x(at)
          .y((p) => Y(p.y as number))(series.points);
    if (path) {
      shape += el(
        'path',
        {
          d: path,
          fill: 'none',
          stroke: series.colour,
          'stroke-width': isArea ? 1.5 : 2,
          'stroke-linejoin': 'round',
          'stroke-linecap': 'round',
        },
        tip(series.name),
      );
    }
    // A point with no neighbour draws no line: show it as a dot; markers when asked, if few.
    const drawn = series.points.filter(defined);
    const dots = drawn.length === 1 || (model.spec.markers === true && drawn.length <= 500);
    if (dots && !layers) {
      for (const p of drawn) {
        shape += el(
          'circle',
          { cx: at(p), cy: Y(p.y as number), r: 3, fill: series.colour },
          tip(`${model.xText(p.x)} · ${series.name}: ${formatNumber(p.y as number, model.number)}`),
        );
      }
    }
    marks.push(el('g', { class: 'series', 'data-series': i }, shape));
  }
  // A stacked series is read at the top of its layer, where it is drawn.
  const tops = new Map<string, number>();
  layers?.forEach((layer, si) => {
    for (const d of layer) tops.set(`${si}:${d.data.x}`, d[1]);
  });
  const stops = columnStops(
    model,
    (si, p) => {
      const at = x.value(p.x);
      if (!Number.isFinite(at) || p.y === null) return undefined;
      return [X(at), Y(layers ? (tops.get(`${si}:${at}`) ?? p.y) : p.y)];
    },
    { total: stacked },
  );
  return drawnAlongX(model, chart, x, marks, { pick: 'x', stops });
}

interface StackRow {
  x: number;
  values: (number | null)[];
}

/** Series stacked at each x (missing values count as 0), bottom layer first. */
function stackLayers(model: Model, position: (x: Point['x']) => number) {
  const rows = new Map<string, StackRow>();
  model.series.forEach((series, i) => {
    for (const p of series.points) {
      const k = key(p.x);
      let row = rows.get(k);
      if (!row) {
        row = { x: position(p.x), values: model.series.map(() => null) };
        rows.set(k, row);
      }
      row.values[i] = p.y;
    }
  });
  const ordered = [...rows.values()].filter((r) => Number.isFinite(r.x)).sort((a, b) => a.x - b.x);
  const top = max(ordered, (r) => r.values.length) ?? 0;
  return stack<StackRow, number>()
    .keys(Array.from({ length: top }, (_, i) => i))
    .value((row, i) => row.values[i] ?? 0)
    .offset(stackOffsetNone)(ordered);
}
