import { format as d3format } from 'd3-format';
import { arc, type PieArcDatum, pie } from 'd3-shape';
import type { Drawn } from '../cartesian.ts';
import { formatNumber } from '../format.ts';
import type { Box } from '../frame.ts';
import { FONT } from '../frame.ts';
import type { LegendItem } from '../legend.ts';
import type { Model } from '../model.ts';
import { inkOn, OTHER_SERIES, seriesColours } from '../palette.ts';
import { el, finite, text, tip } from '../svg.ts';

/** Past this many slices a reader cannot compare them: the smallest fold into "Other". */
export const MAX_SLICES = 12;

export interface Slice {
  name: string;
  value: number;
  share: number;
  colour: string;
}

const OTHER_COUNT = /^Other \(([\d,]+) more\)$/;

/** The slices as drawn: negative and missing values count as none; beyond 12, "Other". */
export function slicesOf(model: Model): Slice[] {
  let raw = (model.series[0]?.points ?? []).map((p) => ({
    name: model.xText(p.x),
    value: Math.max(0, p.y ?? 0),
  }));
  if (raw.length > MAX_SLICES) {
    const isOther = (name: string) => OTHER_SERIES.test(name);
    const kept = raw
      .filter((s) => !isOther(s.name))
      .sort((a, b) => b.value - a.value)
      .slice(0, MAX_SLICES - 1);
    const keptNames = new Set(kept.map((s) => s.name));
    const folded = raw.filter((s) => !keptNames.has(s.name));
    // A slice the API already folded counts for the categories inside it.
    const count = folded.reduce((n, s) => {
      const inside = OTHER_COUNT.exec(s.name)?.[1];
      return n + (inside ? Number(inside.replaceAll(',', '')) : 1);
    }, 0);
    const value = folded.reduce((sum, s) => sum + s.value, 0);
    raw = [...kept, { name: `Other (${count.toLocaleString('en')} more)`, value }];
  }
  const total = raw.reduce((sum, s) => sum + s.value, 0);
  // A colour the spec sets for a name applies to its slice as to a series.
  const own = Object.fromEntries((model.spec.colors ?? []).map((c) => [c.series, c.color]));
  const colours = seriesColours(
    raw.map((s) => s.name),
    model.theme,
    own,
  );
  return raw.map((s, i) => ({
    ...s,
    share: total > 0 ? s.value / total : 0,
    colour: colours[i] as string,
  }));
}

export const percent = (share: number): string =>
  share > 0 && share < 0.01 ? '<1%' : d3format('.0%')(share);

export function pieLegend(slices: Slice[]): LegendItem[] {
  return slices.map((s) => ({ name: `${s.name} ${percent(s.share)}`, colour: s.colour }));
}

/** Pie and donut charts: slices in the API's order from twelve o'clock, labelled with shares. */
export function drawPie(model: Model, region: Box, slices: Slice[]): Drawn {
  const radius = Math.max(8, Math.min(region.w, region.h) / 2 - 2);
  const cx = Math.round(region.x + region.w / 2);
  const cy = Math.round(region.y + region.h / 2);
  const inner = model.spec.donut ? radius * 0.6 : 0;
  const arcs = pie<Slice>()
    .sort(null)
    .value((s) => s.value)(slices);
  const shape = arc<PieArcDatum<Slice>>().innerRadius(inner).outerRadius(radius);
  const labelAt = arc<PieArcDatum<Slice>>()
    .innerRadius(inner ? (inner + radius) / 2 : radius * 0.62)
    .outerRadius(inner ? (inner + radius) / 2 : radius * 0.62);
  const parts = arcs.map((d) => {
    const path = el(
      'path',
      {
        d: shape(d) ?? '',
        fill: d.data.colour,
        stroke: model.colours.background,
        'stroke-width': 1,
      },
      tip(`${d.data.name}: ${formatNumber(d.data.value, model.number)} (${percent(d.data.share)})`),
    );
    // A share is written on its slice when the slice is wide enough to hold it.
    const room = (d.endAngle - d.startAngle) * (inner ? (inner + radius) / 2 : radius * 0.62);
    const label = percent(d.data.share);
    if (room < FONT.tick * 2.6 || radius < 48) return path;
    const [x, y] = labelAt.centroid(d);
    return (
      path +
      text(finite(x), finite(y + FONT.tick * 0.35), label, {
        'font-size': FONT.tick,
        'font-weight': 600,
        'text-anchor': 'middle',
        fill: inkOn(d.data.colour),
      })
    );
  });
  const total = slices.reduce((sum, s) => sum + s.value, 0);
  const centre =
    inner > 40
      ? text(cx, cy + FONT.tick * 0.35, formatNumber(total, model.number), {
          'font-size': Math.min(20, inner / 3),
          'font-weight': 600,
          'text-anchor': 'middle',
          fill: model.colours.text,
        })
      : '';
  // d3's arcs are centred on the origin.
  const translate = `translate(${finite(Math.round(cx))} ${finite(Math.round(cy))})`;
  const stops = arcs.map((d) => {
    const [x, y] = labelAt.centroid(d);
    return {
      x: finite(cx + x),
      y: finite(cy + y),
      title: d.data.name,
      angles: [d.startAngle, d.endAngle] as [number, number],
      rows: [
        {
          name: model.data.series[0]?.name ?? 'Value',
          colour: d.data.colour,
          value: `${formatNumber(d.data.value, model.number)} (${percent(d.data.share)})`,
        },
      ],
    };
  });
  return {
    markup: el('g', { class: 'marks', transform: translate }, parts.join('')) + centre,
    reading: { pick: 'angle', stops, centre: [Math.round(cx), Math.round(cy)] },
  };
}
