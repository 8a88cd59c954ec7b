import type { z } from '@hono/zod-openapi';
import type { ChartSpec } from './chart-spec.ts';
import type { ChartDataSchema } from './charts.schemas.ts';

type ChartData = z.output<typeof ChartDataSchema>;
type Cell = string | number | boolean | null;

export interface SvgOptions {
  width: number;
  height: number;
  theme: 'light' | 'dark';
  title: string;
  description: string;
}

/** Okabe and Ito's palette: told apart by people with any common colour-vision deficiency. */
const PALETTE = {
  light: ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#B8A000', '#000000'],
  dark: ['#56B4E9', '#E69F00', '#2BC4A0', '#FF8A4C', '#E7A1CA', '#9AD0F5', '#F0E442', '#FFFFFF'],
};
const THEMES = {
  light: {
    background: '#ffffff',
    text: '#111827',
    muted: '#4b5563',
    grid: '#e5e7eb',
    axis: '#9ca3af',
  },
  dark: {
    background: '#0b1120',
    text: '#f3f4f6',
    muted: '#9ca3af',
    grid: '#1f2a44',
    axis: '#4b5563',
  },
};

const xml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

const round = (n: number) => Math.round(n * 100) / 100;

/** Lowest and highest, in one pass: `Math.min(...values)` overflows the stack on long arrays. */
function extent(values: number[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  return [low, high];
}

/** Round tick values (1, 2, 5 × 10ⁿ) covering [low, high]. */
function niceTicks(low: number, high: number, count = 5): number[] {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  if (low === high) high = low + 1;
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  // From the step at or below the lowest value to the one at or above the highest: the axis
  // always covers the data.
  const first = Math.floor(low / step);
  const last = Math.ceil(high / step);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(round(i * step));
  return ticks;
}

function formatNumber(value: number, style: ChartSpec['format']['number']): string {
  if (style === 'percent') return `${round(value * 100)}%`;
  if (style === 'integer') return Math.round(value).toLocaleString('en');
  if (style === 'compact' || Math.abs(value) >= 10_000) {
    return new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(
      value,
    );
  }
  return String(round(value));
}

const isTime = (type: string) => type === 'date' || type === 'timestamp';

/**
 * The chart as a standalone SVG document: title, axes with labels, legend, and a `<title>` and
 * `<desc>` for screen readers. Drawn from the same series the web app draws.
 */
export function renderChartSvg(spec: ChartSpec, data: ChartData, options: SvgOptions): string {
  const theme = THEMES[options.theme];
  const colours = PALETTE[options.theme];
  const { width, height } = options;
  const series = data.series;
  const legend = series.length > 1 || spec.type === 'pie';
  const legendItems =
    spec.type === 'pie'
      ? (series[0]?.points.map((p) => String(p[0])) ?? [])
      : series.map((s) => s.name);
  const margin = { top: 44 + (legend ? 22 : 0), right: 20, bottom: 52, left: 64 };
  const plot = {
    x: margin.left,
    y: margin.top,
    w: width - margin.left - margin.right,
    h: height - margin.top - margin.bottom,
  };
  const parts: string[] = [];
  const text = (x: number, y: number, content: string, attributes = '') =>
    `<text x="${round(x)}" y="${round(y)}" ${attributes}>${xml(content)}</text>`;

  parts.push(`<rect width="${width}" height="${height}" fill="${theme.background}"/>`);
  parts.push(text(16, 28, options.title, `font-size="18" font-weight="600" fill="${theme.text}"`));
  if (legend) {
    let lx = 16;
    legendItems.slice(0, 8).forEach((name, i) => {
      parts.push(
        `<rect x="${lx}" y="${44}" width="12" height="12" fill="${colours[i % colours.length]}"/>`,
      );
      parts.push(text(lx + 16, 54, name, `font-size="12" fill="${theme.muted}"`));
      lx += 40 + name.length * 7.5;
    });
  }

  if (spec.type === 'pie') {
    const points = series[0]?.points ?? [];
    const total = points.reduce((sum, p) => sum + Math.max(0, Number(p[1]) || 0), 0) || 1;
    const cx = plot.x + plot.w / 2;
    const cy = plot.y + plot.h / 2;
    const r = Math.max(10, Math.min(plot.w, plot.h) / 2);
    const inner = spec.donut ? r * 0.55 : 0;
    let angle = -Math.PI / 2;
    points.forEach((point, i) => {
      const share = Math.max(0, Number(point[1]) || 0) / total;
      const end = angle + share * 2 * Math.PI;
      const large = share > 0.5 ? 1 : 0;
      const at = (radius: number, a: number) =>
        `${round(cx + radius * Math.cos(a))} ${round(cy + radius * Math.sin(a))}`;
      const path =
        share >= 0.9999
          ? `M ${at(r, 0)} A ${r} ${r} 0 1 1 ${at(r, Math.PI)} A ${r} ${r} 0 1 1 ${at(r, 0)} Z`
          : `M ${at(inner, angle)} L ${at(r, angle)} A ${r} ${r} 0 ${large} 1 ${at(r, end)} L ${at(inner, end)}${inner ? ` A ${inner} ${inner} 0 ${large} 0 ${at(inner, angle)}` : ''} Z`;
      parts.push(
        `<path d="${path}" fill="${colours[i % colours.length]}" stroke="${theme.background}" stroke-width="1"><title>${xml(`${String(point[0])}: ${formatNumber(Number(point[1]), spec.format.number)}`)}</title></path>`,
      );
      angle = end;
    });
    return wrap(parts, options, series);
  }

  // Axes: x is time, numbers, or categories (bar charts and text columns).
  const categorical =
    spec.type === 'bar' ||
    (!isTime(data.x.type) && data.x.type !== 'integer' && data.x.type !== 'number');
  const horizontal = spec.type === 'bar' && spec.bar?.orientation === 'horizontal';
  const xValue = (v: Cell) =>
    isTime(data.x.type)
      ? Date.parse(String(v).length === 10 ? `${v}T00:00:00Z` : String(v))
      : Number(v);
  const categories = [...new Set(series.flatMap((s) => s.points.map((p) => String(p[0]))))];
  // Positions by lookup, not by search: a chart may have thousands of categories.
  const categoryIndex = new Map(categories.map((category, i) => [category, i]));
  const stacked =
    (spec.type === 'bar' && spec.bar?.mode === 'stacked') || (spec.type === 'area' && spec.stacked);
  const ys: number[] = [0];
  if (stacked) {
    const totals = new Map<string, number>();
    for (const s of series) {
      for (const p of s.points) {
        const key = String(p[0]);
        totals.set(key, (totals.get(key) ?? 0) + (Number(p[1]) || 0));
      }
    }
    ys.push(...totals.values());
  } else {
    for (const s of series) for (const p of s.points) if (p[1] !== null) ys.push(Number(p[1]));
  }
  const [yMin, yMax] = extent(ys);
  const yTicks = niceTicks(yMin, yMax);
  const yLow = yTicks[0] as number;
  const yHigh = yTicks.at(-1) as number;
  const valueSpan = horizontal ? plot.w : plot.h;
  const valuePos = (v: number) => ((v - yLow) / (yHigh - yLow || 1)) * valueSpan;
  const xs = categorical ? [] : series.flatMap((s) => s.points.map((p) => xValue(p[0] ?? null)));
  const [xLow, xHigh] = extent(xs);
  const xPos = (v: Cell) => plot.x + ((xValue(v) - xLow) / (xHigh - xLow || 1)) * plot.w;
  const band = (horizontal ? plot.h : plot.w) / Math.max(1, categories.length);

  // Grid and value axis labels.
  for (const tick of yTicks) {
    const offset = valuePos(tick);
    if (horizontal) {
      const x = plot.x + offset;
      parts.push(
        `<line x1="${round(x)}" x2="${round(x)}" y1="${plot.y}" y2="${plot.y + plot.h}" stroke="${theme.grid}"/>`,
      );
      parts.push(
        text(
          x,
          plot.y + plot.h + 18,
          formatNumber(tick, spec.format.number),
          `font-size="11" text-anchor="middle" fill="${theme.muted}"`,
        ),
      );
    } else {
      const y = plot.y + plot.h - offset;
      parts.push(
        `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${round(y)}" y2="${round(y)}" stroke="${theme.grid}"/>`,
      );
      parts.push(
        text(
          plot.x - 8,
          y + 4,
          formatNumber(tick, spec.format.number),
          `font-size="11" text-anchor="end" fill="${theme.muted}"`,
        ),
      );
    }
  }
  // Category or x axis labels, thinned to fit.
  if (categorical) {
    const every = Math.max(
      1,
      Math.ceil(categories.length / Math.max(1, Math.floor((horizontal ? plot.h : plot.w) / 60))),
    );
    categories.forEach((category, i) => {
      if (i % every) return;
      const centre = (horizontal ? plot.y : plot.x) + band * (i + 0.5);
      parts.push(
        horizontal
          ? text(
              plot.x - 8,
              centre + 4,
              category.slice(0, 14),
              `font-size="11" text-anchor="end" fill="${theme.muted}"`,
            )
          : text(
              centre,
              plot.y + plot.h + 18,
              category.slice(0, 14),
              `font-size="11" text-anchor="middle" fill="${theme.muted}"`,
            ),
      );
    });
  } else {
    const labels = 5;
    for (let i = 0; i <= labels; i++) {
      const value = xLow + ((xHigh - xLow) * i) / labels;
      const label =
        isTime(data.x.type) && Number.isFinite(value)
          ? new Date(value).toISOString().slice(0, 10)
          : formatNumber(value, 'auto');
      // The end labels align inward, so they stay inside the picture.
      const anchor = i === 0 ? 'start' : i === labels ? 'end' : 'middle';
      parts.push(
        text(
          plot.x + (plot.w * i) / labels,
          plot.y + plot.h + 18,
          label,
          `font-size="11" text-anchor="${anchor}" fill="${theme.muted}"`,
        ),
      );
    }
  }
  const xLabel = spec.format.x_label || data.x.name;
  const yLabel = spec.format.y_label || (series.length === 1 ? (series[0]?.name ?? '') : '');
  parts.push(
    text(
      plot.x + plot.w / 2,
      height - 10,
      xLabel,
      `font-size="12" text-anchor="middle" fill="${theme.text}" class="axis-label"`,
    ),
  );
  if (yLabel) {
    parts.push(
      text(
        16,
        plot.y + plot.h / 2,
        yLabel,
        `font-size="12" text-anchor="middle" fill="${theme.text}" class="axis-label" transform="rotate(-90 16 ${round(plot.y + plot.h / 2)})"`,
      ),
    );
  }
  parts.push(
    `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${plot.y + plot.h}" y2="${plot.y + plot.h}" stroke="${theme.axis}"/>`,
  );

  const base = new Map<string, number>();
  series.forEach((s, si) => {
    const colour = colours[si % colours.length];
    if (spec.type === 'bar' || spec.type === 'histogram') {
      const grouped = spec.type === 'bar' && !stacked;
      const width = grouped ? (band * 0.8) / series.length : band * 0.8;
      s.points.forEach((p, pointIndex) => {
        if (p[1] === null) return;
        const index =
          spec.type === 'histogram' ? pointIndex : (categoryIndex.get(String(p[0])) ?? 0);
        const start = band * index + band * 0.1 + (grouped ? width * si : 0);
        const below = stacked ? (base.get(String(p[0])) ?? 0) : 0;
        const from = valuePos(Math.max(yLow, below));
        const to = valuePos(below + Number(p[1]));
        if (stacked) base.set(String(p[0]), below + Number(p[1]));
        const tip = `<title>${xml(`${String(p[0])} · ${s.name}: ${formatNumber(Number(p[1]), spec.format.number)}`)}</title>`;
        parts.push(
          horizontal
            ? `<rect x="${round(plot.x + from)}" y="${round(plot.y + start)}" width="${round(Math.max(0, to - from))}" height="${round(width)}" fill="${colour}">${tip}</rect>`
            : `<rect x="${round(plot.x + start)}" y="${round(plot.y + plot.h - to)}" width="${round(width)}" height="${round(Math.max(0, to - from))}" fill="${colour}">${tip}</rect>`,
        );
      });
    } else if (spec.type === 'scatter') {
      for (const p of s.points) {
        if (p[1] === null) continue;
        const r = p[2] === undefined ? 3 : 2 + Math.min(10, Math.sqrt(Math.max(0, Number(p[2]))));
        parts.push(
          `<circle cx="${round(xPos(p[0] ?? null))}" cy="${round(plot.y + plot.h - valuePos(Number(p[1])))}" r="${round(r)}" fill="${colour}" fill-opacity="0.7"/>`,
        );
      }
    } else {
      const points = s.points.filter((p) => p[1] !== null);
      const at = (p: Cell[]) => {
        const x = categorical
          ? plot.x + band * ((categoryIndex.get(String(p[0])) ?? 0) + 0.5)
          : xPos(p[0] ?? null);
        const below = stacked ? (base.get(String(p[0])) ?? 0) : 0;
        return {
          x,
          y: plot.y + plot.h - valuePos(below + Number(p[1])),
          floor: plot.y + plot.h - valuePos(below),
        };
      };
      const coordinates = points.map(at);
      if (coordinates.length === 0) return;
      const line = coordinates
        .map((c, i) => `${i ? 'L' : 'M'} ${round(c.x)} ${round(c.y)}`)
        .join(' ');
      if (spec.type === 'area') {
        const floor = [...coordinates]
          .reverse()
          .map((c) => `L ${round(c.x)} ${round(c.floor)}`)
          .join(' ');
        parts.push(
          `<path d="${line} ${floor} Z" fill="${colour}" fill-opacity="0.35" stroke="none"/>`,
        );
        if (stacked)
          for (const p of points)
            base.set(String(p[0]), (base.get(String(p[0])) ?? 0) + Number(p[1]));
      }
      parts.push(
        `<path d="${line}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"/>`,
      );
    }
  });
  return wrap(parts, options, series);
}

function wrap(parts: string[], options: SvgOptions, series: ChartData['series']): string {
  const summary =
    options.description ||
    `${series.length} series: ${series.map((s) => `${s.name} (${s.points.length} points)`).join(', ')}.`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${options.width}" height="${options.height}" viewBox="0 0 ${options.width} ${options.height}" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">
<title id="chart-title">${xml(options.title)}</title>
<desc id="chart-desc">${xml(summary)}</desc>
${parts.join('\n')}
</svg>
`;
}
