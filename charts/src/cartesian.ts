import { type Along, type Axis, type PlacedAxis, TURNED_DROP } from './axes.ts';
import { type Box, FONT } from './frame.ts';
import type { ThemeColours } from './palette.ts';
import type { Reading } from './reading.ts';
import { el, text } from './svg.ts';
import { fitText, textWidth } from './text-width.ts';

export interface CartesianAxes {
  x: Axis;
  y: Axis;
  /** The axis that carries the values: grid lines run across the plot from its ticks. */
  values: Along;
  xTitle?: string;
  yTitle?: string;
}

/** A chart type's drawing, with where its plot went (for pointer and keyboard reading). */
export interface Drawn {
  markup: string;
  plot?: Box;
  x?: PlacedAxis;
  /** What a reader can read off it, where (see reading.ts). */
  reading?: Reading;
}

export interface Cartesian {
  plot: Box;
  x: PlacedAxis;
  y: PlacedAxis;
  /** Grid lines and tick labels: drawn below the marks. */
  under: string;
  /** Axis titles: drawn above them. */
  over: string;
}

const LABEL_GAP = 8;
const TITLE_ROOM = 18;

/**
 * Places a plot with two axes inside `region`: the y labels' width sets the left margin, the x
 * labels' height (taller when they turn) the bottom one. Each depends on the other's length, so
 * the layout settles in a few passes.
 */
export function layoutCartesian(
  region: Box,
  axes: CartesianAxes,
  colours: ThemeColours,
  pictureWidth: number,
): Cartesian {
  const font = FONT.tick;
  // Half a label above the top tick, and the y axis title when there is one.
  const top = region.y + (axes.yTitle ? TITLE_ROOM + 4 : font / 2 + 2);
  const titleBelow = axes.xTitle ? TITLE_ROOM : 0;
  let bottom = font * 1.3;
  // Room turned labels need left of the plot, past what the y labels take.
  let overhang = 0;
  let placed: { plot: Box; x: PlacedAxis; y: PlacedAxis } | undefined;
  for (let pass = 0; pass < 4; pass++) {
    const h = Math.max(20, region.y + region.h - top - bottom - LABEL_GAP - titleBelow);
    const y = axes.y(h, 'y', font);
    const left = y.size + LABEL_GAP + overhang;
    const w = Math.max(20, region.w - left - 4);
    const x = axes.x(w, 'x', font);
    placed = { plot: { x: region.x + left, y: top, w, h }, x, y };
    const cut = x.rotated ? turnedOverhang(x, region.x + left, font) : 0;
    if (Math.abs(x.size - bottom) < 1 && cut < 1) break;
    bottom = x.size;
    overhang += cut;
  }
  const { plot, x, y } = placed as { plot: Box; x: PlacedAxis; y: PlacedAxis };
  return {
    plot,
    x,
    y,
    under: grid(plot, x, y, axes.values, colours) + labels(plot, x, y, colours, pictureWidth),
    over: titles(region, plot, x, axes, colours),
  };
}

function grid(plot: Box, x: PlacedAxis, y: PlacedAxis, values: Along, colours: ThemeColours) {
  const lines: string[] = [];
  const zero = (label: string) => label === '0';
  if (values === 'y') {
    for (const t of y.ticks) {
      const at = plot.y + t.at;
      const stroke = zero(t.label) ? colours.axis : colours.grid;
      lines.push(el('line', { x1: plot.x, x2: plot.x + plot.w, y1: at, y2: at, stroke }));
    }
    const base = plot.y + plot.h;
    if (!y.ticks.some((t) => zero(t.label))) {
      lines.push(
        el('line', { x1: plot.x, x2: plot.x + plot.w, y1: base, y2: base, stroke: colours.axis }),
      );
    }
  } else {
    for (const t of x.ticks) {
      const at = plot.x + t.at;
      const stroke = zero(t.label) ? colours.axis : colours.grid;
      lines.push(el('line', { x1: at, x2: at, y1: plot.y, y2: plot.y + plot.h, stroke }));
    }
  }
  return el('g', { class: 'grid', 'shape-rendering': 'crispEdges' }, lines.join(''));
}

/** How far past the picture's left edge labels turned 45° would reach (their ends hang left). */
function turnedOverhang(x: PlacedAxis, plotLeft: number, font: number): number {
  let most = 0;
  for (const t of x.ticks) {
    most = Math.max(most, textWidth(t.label, font) * Math.SQRT1_2 - (plotLeft + t.at) + 2);
  }
  return most;
}

function labels(plot: Box, x: PlacedAxis, y: PlacedAxis, colours: ThemeColours, width: number) {
  const font = FONT.tick;
  const style = { 'font-size': font, fill: colours.muted };
  const out: string[] = [];
  for (const t of y.ticks) {
    out.push(
      text(plot.x - LABEL_GAP, plot.y + t.at + font * 0.35, t.label, {
        ...style,
        'text-anchor': 'end',
      }),
    );
  }
  const below = plot.y + plot.h + LABEL_GAP;
  for (const t of x.ticks) {
    const at = plot.x + t.at;
    if (x.rotated) {
      const ty = below + 2 + TURNED_DROP;
      out.push(
        text(at, ty, t.label, {
          ...style,
          'text-anchor': 'end',
          transform: `rotate(-45 ${Math.round(at)} ${Math.round(ty)})`,
        }),
      );
      continue;
    }
    // Labels at the ends stay inside the picture rather than being cut by its edge.
    const half = textWidth(t.label, font) / 2;
    const centre = Math.min(Math.max(at, half + 2), width - half - 2);
    out.push(text(centre, below + font * 0.85, t.label, { ...style, 'text-anchor': 'middle' }));
  }
  return el('g', { class: 'ticks' }, out.join(''));
}

function titles(region: Box, plot: Box, x: PlacedAxis, axes: CartesianAxes, colours: ThemeColours) {
  const style = { 'font-size': FONT.axisTitle, fill: colours.text, class: 'axis-label' };
  let out = '';
  if (axes.yTitle) {
    const label = fitText(axes.yTitle, FONT.axisTitle, region.w);
    out += text(region.x, region.y + FONT.axisTitle, label, { ...style, 'text-anchor': 'start' });
  }
  if (axes.xTitle) {
    // Centred under the plot, so it has as much room as the nearer picture edge leaves it.
    const centre = plot.x + plot.w / 2;
    const room = 2 * Math.min(centre - region.x, region.x + region.w - centre);
    const label = fitText(axes.xTitle, FONT.axisTitle, room);
    const y = plot.y + plot.h + LABEL_GAP + x.size + TITLE_ROOM - 4;
    out += text(centre, y, label, { ...style, 'text-anchor': 'middle' });
  }
  return out;
}
