import { scaleSqrt } from 'd3-scale';
import { annotatedValues } from '../annotations.ts';
import { numberAxis } from '../axes.ts';
import type { Drawn } from '../cartesian.ts';
import { formatNumber } from '../format.ts';
import type { Box } from '../frame.ts';
import { allY, extentOf, type Model } from '../model.ts';
import type { Stop } from '../reading.ts';
import { el, finite, tip } from '../svg.ts';
import { drawnAlongX, layoutAlongX, xPlacement } from './x-axis.ts';
import { yTitle } from './y-title.ts';

/** Scatter plots: one dot per row, sized by a third column when the spec names one. */
export function drawScatter(model: Model, region: Box, width: number): Drawn {
  const x = xPlacement(model, region);
  const [lo, hi] = extentOf([...allY(model.series), ...annotatedValues(model.spec)]);
  const chart = layoutAlongX(model, region, width, x, numberAxis(lo, hi, { format: model.number }));
  const { plot } = chart;
  const sizes = model.series.flatMap((s) => s.points.map((p) => p.size ?? 0));
  const [, largest] = extentOf(sizes);
  const radius = scaleSqrt()
    .domain([0, largest || 1])
    .range([2, 14]);
  const count = sizes.length;
  // Thousands of dots: smaller and fainter, so that density still shows.
  const plain = count > 2000 ? 2 : count > 300 ? 2.75 : 3.5;
  // Greyed series first, so the highlighted ones are drawn over them.
  const stops: Stop[] = [];
  // Split into series, the dots' names are the groups': the measure is its column's.
  const names = {
    x: model.spec.format?.x_label || model.data.x.name,
    y: yTitle(model) || model.spec.y?.[0]?.column || 'y',
  };
  const order = model.series.map((series, si) => ({ series, si }));
  order.sort((a, b) => Number(b.series.muted) - Number(a.series.muted));
  const marks = order.map(({ series, si }) => {
    const dots = series.points.map((p) => {
      if (p.y === null) return '';
      const px = x.value(p.x);
      if (!Number.isFinite(px)) return '';
      const label = `${series.name}: ${model.xText(p.x)}, ${formatNumber(p.y, model.number)}`;
      const cx = finite(plot.x + chart.x.scale(px) + (x.categorical ? chart.x.band / 2 : 0));
      const cy = finite(plot.y + chart.y.scale(p.y));
      stops.push({
        x: cx,
        y: cy,
        title: model.series.length > 1 ? series.name : '',
        rows: [
          { name: names.x, colour: '', value: model.xText(p.x) },
          { name: names.y, colour: series.colour, value: formatNumber(p.y, model.number) },
          ...(p.size === undefined
            ? []
            : [
                {
                  name: model.spec.size?.column ?? 'size',
                  colour: '',
                  value: formatNumber(p.size),
                },
              ]),
        ],
      });
      return el(
        'circle',
        {
          cx,
          cy,
          r: p.size === undefined ? plain : finite(radius(Math.max(0, p.size))),
          fill: series.colour,
          'fill-opacity': 0.7,
        },
        count <= 2000 ? tip(label) : '',
      );
    });
    return el('g', { class: 'series', 'data-series': si }, dots.join(''));
  });
  stops.sort((a, b) => a.x - b.x || a.y - b.y);
  return drawnAlongX(model, chart, x, marks, { pick: 'point', stops });
}
