import { drawAnnotations } from '../annotations.ts';
import { type Axis, bandAxis, numberAxis, timeAxis } from '../axes.ts';
import { type Cartesian, type Drawn, layoutCartesian } from '../cartesian.ts';
import type { Box } from '../frame.ts';
import { categoriesOf, extentOf, key, type Model } from '../model.ts';
import type { Reading } from '../reading.ts';
import { el } from '../svg.ts';
import { yTitle } from './y-title.ts';

/** The x axis of a chart drawn along x (line, area, scatter) and how to place a point on it. */
export interface XPlacement {
  axis: Axis;
  /** A point's x as an axis value: its position for time and numbers, its index for categories. */
  value: (x: Model['series'][number]['points'][number]['x']) => number;
  categorical: boolean;
  /** Like `value`, but undefined for a value the axis does not hold (an annotation's x). */
  find: (x: Model['series'][number]['points'][number]['x']) => number | undefined;
}

export function xPlacement(model: Model, region: Box): XPlacement {
  if (model.xKind === 'category') {
    const categories = categoriesOf(model.series);
    const index = new Map(categories.map((c, i) => [key(c), i]));
    return {
      axis: bandAxis(categories.map(model.xText), { labelRoom: region.h * 0.3 }),
      value: (x) => index.get(key(x)) ?? 0,
      categorical: true,
      find: (x) => index.get(key(x)) ?? index.get(key(String(x))),
    };
  }
  const [lo, hi] = extentOf(
    (function* () {
      for (const s of model.series) for (const p of s.points) yield model.xValue(p.x);
    })(),
  );
  return {
    axis:
      model.xKind === 'time' ? timeAxis(lo, hi, model.bucket) : numberAxis(lo, hi, { nice: false }),
    value: model.xValue,
    categorical: false,
    find: (x) => {
      const at = model.xValue(x);
      return Number.isFinite(at) ? at : undefined;
    },
  };
}

/** A chart drawn along x as a whole: axes under its marks, then annotations, then titles. */
export function drawnAlongX(
  model: Model,
  chart: Cartesian,
  x: Pick<XPlacement, 'find' | 'categorical'>,
  marks: string[],
  reading?: Reading,
): Drawn {
  const notes = drawAnnotations(model, {
    plot: chart.plot,
    along: (cell) => {
      const v = x.find(cell);
      return v === undefined
        ? undefined
        : chart.x.scale(v) + (x.categorical ? chart.x.band / 2 : 0);
    },
    value: chart.y.scale,
    horizontal: false,
  });
  return {
    markup: chart.under + el('g', { class: 'marks' }, marks.join('')) + notes + chart.over,
    plot: chart.plot,
    x: chart.x,
    reading,
  };
}

/** The plot of a chart drawn along x: its x axis, the given value axis, the usual titles. */
export function layoutAlongX(
  model: Model,
  region: Box,
  width: number,
  x: XPlacement,
  y: Axis,
): Cartesian {
  return layoutCartesian(
    region,
    {
      x: x.axis,
      y,
      values: 'y',
      xTitle: model.spec.format?.x_label || model.data.x.name,
      yTitle: yTitle(model),
    },
    model.colours,
    width,
  );
}
