import { annotatedValues } from '../annotations.ts';
import { numberAxis } from '../axes.ts';
import { type Drawn, layoutCartesian } from '../cartesian.ts';
import { formatNumber } from '../format.ts';
import type { Box } from '../frame.ts';
import { drawable, extentOf, type Model } from '../model.ts';
import { el, finite, tip } from '../svg.ts';
import { drawnAlongX } from './x-axis.ts';

/** Histograms: adjacent bars over the bins the API counted, ticked at round values. */
export function drawHistogram(model: Model, region: Box, width: number): Drawn {
  const bins = (model.series[0]?.points ?? []).filter((p) => Number.isFinite(Number(p.x)));
  const binWidth = model.data.bin_width || 1;
  const starts = bins.map((p) => drawable(Number(p.x)));
  const [first, last] = extentOf(starts);
  const [, most] = extentOf([...bins.map((p) => p.y ?? 0), ...annotatedValues(model.spec)]);
  const chart = layoutCartesian(
    region,
    {
      x: numberAxis(first, drawable(last + binWidth), { nice: false }),
      y: numberAxis(0, most, { zero: true, format: { style: 'integer' } }),
      values: 'y',
      xTitle: model.spec.format?.x_label || model.data.x.name,
      yTitle: model.spec.format?.y_label || 'Count',
    },
    model.colours,
    width,
  );
  const { plot } = chart;
  const colour = model.series[0]?.colour ?? model.colours.other;
  const bars = bins.map((p) => {
    const start = drawable(Number(p.x));
    const a = chart.x.scale(start);
    const b = chart.x.scale(start + binWidth);
    const top = chart.y.scale(p.y ?? 0);
    const range = `${formatNumber(start)} to ${formatNumber(start + binWidth)}`;
    return el(
      'rect',
      {
        x: finite(plot.x + a + 0.5),
        y: finite(plot.y + top),
        width: finite(Math.max(0.5, b - a - 1)),
        height: finite(Math.max(0, plot.h - top)),
        fill: colour,
      },
      tip(`${range}: ${formatNumber(p.y ?? 0, { style: 'integer' })}`),
    );
  });
  // Bins sit at their numbers: an annotation's x is read as one.
  const numbers = {
    categorical: false,
    find: (cell: unknown) => {
      const v = Number(cell);
      return Number.isFinite(v) ? v : undefined;
    },
  };
  const stops = bins.map((p) => {
    const start = drawable(Number(p.x));
    const a = chart.x.scale(start);
    const b = chart.x.scale(start + binWidth);
    return {
      x: finite(plot.x + (a + b) / 2),
      y: finite(plot.y + chart.y.scale(p.y ?? 0)),
      title: `${formatNumber(start)} to ${formatNumber(start + binWidth)}`,
      rows: [{ name: 'Rows', colour, value: formatNumber(p.y ?? 0, { style: 'integer' }) }],
    };
  });
  return drawnAlongX(model, chart, numbers, bars, { pick: 'x', stops });
}
