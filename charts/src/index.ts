export { wholeBuckets } from './buckets.ts';

import type { Drawn } from './cartesian.ts';
import { describe } from './describe.ts';
import { xml } from './escape.ts';
import { BOLD, type Box, FONT, padding, titleFont, wrapText } from './frame.ts';
import { drawBar } from './kinds/bar.ts';
import { drawHistogram } from './kinds/histogram.ts';
import { drawLine } from './kinds/line.ts';
import { drawPie, pieLegend, slicesOf } from './kinds/pie.ts';
import { drawScatter } from './kinds/scatter.ts';
import { type LegendItem, layoutLegend } from './legend.ts';
import { buildModel, type Model } from './model.ts';
import { OTHER_SERIES } from './palette.ts';
import type { Reading } from './reading.ts';
import { el, text } from './svg.ts';
import type { ChartData, ChartSpec, Theme } from './types.ts';

export { formatDate, formatNumber, formatX, tickFormatter } from './format.ts';
export type { Box } from './frame.ts';
/** How a chart's spec says its values are written: the pages' tables write them the same way. */
export { numberOptions } from './model.ts';
export { PALETTES, THEMES } from './palette.ts';
export type { Reading, Stop, StopRow } from './reading.ts';
export type { ChartData, ChartSpec, Theme } from './types.ts';

/**
 * Changes whenever the renderer draws the same chart differently: caches of drawn charts
 * (the API's ETag) include it, so a new release is not hidden behind an old picture.
 */
export const RENDERER_VERSION = '7';

export interface RenderOptions {
  /** Size drawn, in CSS px: text keeps its size at every width. */
  width: number;
  height: number;
  theme?: Theme;
  /** The document's accessible name, and drawn at the top unless `heading` is false. */
  title?: string;
  /** false: the title names the image but is not drawn (the page shows it as its heading). */
  heading?: boolean;
  /** The accessible description; without one, a summary of what the chart shows. */
  description?: string;
  /** Prefix of the ids inside the document, unique when a page inlines several charts. */
  idPrefix?: string;
  /** With an XML declaration, for a file of its own (the API's image.svg). */
  standalone?: boolean;
  /**
   * Series names in the order they took colours in the chart as first drawn: a zoomed range,
   * whose series the API ranks afresh, keeps each series' colour.
   */
  colourOrder?: string[];
}

const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const clamp = (n: number, lo: number, hi: number) =>
  Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.round(n))) : lo;

/** A drawn chart: its SVG document, and where its plot and x axis went, in px of the drawing. */
export interface DrawnChart {
  svg: string;
  width: number;
  height: number;
  plot?: Box;
  /** The x values at the plot's left and right edges, on a continuous axis (ms for time). */
  xDomain?: [number, number];
  /** What can be read off the chart, and where: the page's hover, tap and keys show it. */
  reading?: Reading;
}

/**
 * A chart's spec and its `/data` answer as one SVG document at the given size: the same
 * function draws the API's image.svg and the web's charts, so they always agree.
 */
export function renderChart(spec: ChartSpec, data: ChartData, options: RenderOptions): string {
  return drawChart(spec, data, options).svg;
}

/** renderChart, with the layout a page needs to read pointer positions as values. */
export function drawChart(spec: ChartSpec, data: ChartData, options: RenderOptions): DrawnChart {
  const width = clamp(options.width, 120, 4000);
  const height = clamp(options.height, 100, 4000);
  const theme: Theme = options.theme === 'dark' ? 'dark' : 'light';
  const model = buildModel(spec, data, theme, options.colourOrder);
  const pad = padding(width);
  const parts: string[] = [el('rect', { width, height, fill: model.colours.background })];
  let top = pad;
  const title = (options.title ?? '').trim();
  if (title && options.heading !== false) {
    const size = titleFont(width);
    const lines = wrapText(title, size * BOLD, width - 2 * pad, 2);
    lines.forEach((line, i) => {
      parts.push(
        text(pad, top + size * (i + 0.85) * 1.2, line, {
          'font-size': size,
          'font-weight': 600,
          fill: model.colours.text,
          class: 'chart-title',
        }),
      );
    });
    top += lines.length * size * 1.2 + 8;
  }
  const slices = spec.type === 'pie' ? slicesOf(model) : [];
  const legend = layoutLegend(legendItems(model, slices), width - 2 * pad, {
    fontSize: FONT.legend,
    // A pie gives its legend more room: each slice's name and share is read there.
    maxHeight: height * (spec.type === 'pie' ? 0.6 : 0.4),
    colour: model.colours.muted,
  });
  if (legend.height) {
    parts.push(legend.draw(pad, top));
    top += legend.height + 8;
  }
  const note = footnote(model);
  const noteRoom = note ? FONT.note * 1.6 : 0;
  const region: Box = { x: pad, y: top, w: width - 2 * pad, h: height - top - pad - noteRoom };
  const drawn = plotOf(model, region, width, slices);
  parts.push(drawn.markup);
  if (note) {
    parts.push(
      text(pad, height - pad, note, {
        'font-size': FONT.note,
        fill: model.colours.muted,
        class: 'note',
      }),
    );
  }
  const description = options.description || describe(model);
  return {
    svg: document(parts, { ...options, width, height, title }, description),
    width,
    height,
    plot: drawn.plot,
    xDomain: drawn.x?.domain,
    reading: drawn.reading,
  };
}

function plotOf(
  model: Model,
  region: Box,
  width: number,
  slices: ReturnType<typeof slicesOf>,
): Drawn {
  const empty = model.series.every((s) => s.points.every((p) => p.y === null));
  if (empty || region.h < 24 || region.w < 24) {
    const message = text(region.x + region.w / 2, region.y + region.h / 2, 'No data to show', {
      'font-size': FONT.note,
      'text-anchor': 'middle',
      fill: model.colours.muted,
    });
    return { markup: message };
  }
  switch (model.spec.type) {
    case 'bar':
      return drawBar(model, region, width);
    case 'scatter':
      return drawScatter(model, region, width);
    case 'histogram':
      return drawHistogram(model, region, width);
    case 'pie':
      return drawPie(model, region, slices);
    default:
      return drawLine(model, region, width);
  }
}

function legendItems(model: Model, slices: ReturnType<typeof slicesOf>): LegendItem[] {
  if (model.spec.type === 'pie') return pieLegend(slices);
  if (model.series.length < 2) return [];
  return model.series.map((s) => ({ name: s.name, colour: s.colour, muted: s.muted }));
}

/** Says what the chart leaves out, when the API left series or categories out without "Other". */
function footnote(model: Model): string {
  const { other_series: series, other_categories: categories } = model.data;
  const folded = (names: string[]) => names.some((n) => OTHER_SERIES.test(n));
  if (series > 0 && !folded(model.series.map((s) => s.name))) {
    return `${series.toLocaleString('en')} smaller series not shown`;
  }
  if (categories > 0 && !model.series.some((s) => folded(s.points.map((p) => String(p.x))))) {
    return `${categories.toLocaleString('en')} more categories not shown`;
  }
  return '';
}

function document(
  parts: string[],
  options: RenderOptions & { title: string },
  description: string,
): string {
  const id = (options.idPrefix ?? 'chart').replace(/[^A-Za-z0-9_-]/g, '') || 'chart';
  const name = el('title', { id: `${id}-title` }, xml(options.title || 'Chart'));
  const desc = el('desc', { id: `${id}-desc` }, xml(description));
  const svg = el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: options.width,
      height: options.height,
      viewBox: `0 0 ${options.width} ${options.height}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      'font-family': FONT_FAMILY,
      class: 'chartroom-chart',
    },
    `\n${name}\n${desc}\n${parts.join('\n')}\n`,
  );
  return options.standalone ? `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n` : svg;
}
