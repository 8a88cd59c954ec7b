import { describe, expect, it } from 'vitest';
import { drawChart, renderChart } from '../src/index.ts';
import { PALETTES, THEMES } from '../src/palette.ts';
import type { ChartSpec } from '../src/types.ts';
import { dataOf, EXAMPLES, MONTHS, REGIONS } from './fixtures.ts';
import { textsOf, wellFormed } from './svg-reading.ts';

const [, lineSpec, lineData] = EXAMPLES[0] as (typeof EXAMPLES)[number];
const strokes = (svg: string) =>
  [...svg.matchAll(/<path d="[^"]+" fill="none" stroke="(#[0-9A-Fa-f]{6})"/g)].map((m) => m[1]);
const textIn = (svg: string, group: string) =>
  textsOf(svg)
    .filter((t) => t.group === group)
    .map((t) => t.content);

describe('areas', () => {
  it('an area over values far from zero fills down to the zero its axis starts at', () => {
    const points = MONTHS.slice(0, 12).map((m, i) => [m, 100 + i * 10]);
    const data = dataOf('area', { name: 'month', type: 'date' }, [{ name: 'v', points }]);
    const drawn = drawChart({ type: 'area', x: { column: 'month', bucket: 'month' } }, data, {
      width: 600,
      height: 400,
    });
    const fill = drawn.svg.match(/<path d="([^"]+)" fill="#[0-9A-Fa-f]{6}" fill-opacity/)?.[1];
    const ys = [...(fill ?? '').matchAll(/,(-?[\d.]+)/g)].map((m) => Number(m[1]));
    const plot = drawn.plot as { y: number; h: number };
    expect(Math.max(...ys)).toBeCloseTo(plot.y + plot.h, 0);
    expect(textIn(drawn.svg, 'ticks')).toContain('0');
  });
});

describe('series colours and highlights', () => {
  it('a colour set in the spec replaces the palette’s for that series only', () => {
    const spec: ChartSpec = { ...lineSpec, colors: [{ series: 'East', color: '#123456' }] };
    const drawn = strokes(renderChart(spec, lineData, { width: 800, height: 400 }));
    expect(drawn[2]).toBe('#123456');
    expect(drawn[0]).toBe(PALETTES.light[0]);
  });
  it('highlighting two series greys the others and draws the two on top', () => {
    const spec: ChartSpec = { ...lineSpec, highlight: ['West', 'Metro'] };
    const svg = renderChart(spec, lineData, { width: 800, height: 400 });
    const drawn = strokes(svg);
    expect(drawn.filter((c) => c === THEMES.light.other)).toHaveLength(10);
    expect(drawn.slice(-2)).toEqual([PALETTES.light[3], PALETTES.light[10]]);
    expect(svg).toContain('Highlighted: West, Metro.');
  });
  it('a highlight naming no series greys nothing', () => {
    const spec: ChartSpec = { ...lineSpec, highlight: ['Atlantis'] };
    const drawn = strokes(renderChart(spec, lineData, { width: 800, height: 400 }));
    expect(drawn).toEqual(PALETTES.light);
  });
});

describe('formats, labels and markers', () => {
  const sales = dataOf('bar', { name: 'region', type: 'text' }, [
    { name: 'revenue', points: REGIONS.slice(0, 4).map((r, i) => [r, 1250.5 * (i + 1)]) },
  ]);
  it('currency with decimals on ticks, tooltips and value labels', () => {
    const spec: ChartSpec = {
      type: 'bar',
      x: { column: 'region' },
      labels: true,
      format: { number: 'decimal', decimals: 2, prefix: '$' },
    };
    const svg = renderChart(spec, sales, { width: 800, height: 400 });
    expect(textIn(svg, 'value-labels')).toEqual([
      '$1,250.50',
      '$2,501.00',
      '$3,751.50',
      '$5,002.00',
    ]);
    expect(svg).toContain('<title>North · revenue: $1,250.50</title>');
    expect(textIn(svg, 'ticks').filter((t) => t.startsWith('$')).length).toBeGreaterThan(2);
  });
  it('a suffix follows every value, and a negative sign comes before a prefix', () => {
    const spec: ChartSpec = { ...lineSpec, format: { number: 'auto', suffix: ' °C' } };
    const ticks = textIn(renderChart(spec, lineData, { width: 800, height: 400 }), 'ticks');
    expect(ticks.filter((t) => t.endsWith(' °C')).length).toBeGreaterThan(2);
    const loss = dataOf('bar', { name: 'q', type: 'text' }, [
      {
        name: 'p',
        points: [
          ['Q1', -5],
          ['Q2', 10],
        ],
      },
    ]);
    const svg = renderChart(
      { type: 'bar', x: { column: 'q' }, labels: true, format: { number: 'integer', prefix: '$' } },
      loss,
      { width: 600, height: 300 },
    );
    expect(textIn(svg, 'value-labels')).toEqual(['\u2212$5', '$10']);
  });
  it('value labels are left out where bars are too thin to hold them', () => {
    const many = dataOf('bar', { name: 'i', type: 'text' }, [
      { name: 'n', points: Array.from({ length: 200 }, (_, i) => [`c${i}`, 100_000 + i]) },
    ]);
    const svg = renderChart({ type: 'bar', x: { column: 'i' }, labels: true }, many, {
      width: 400,
      height: 300,
    });
    expect(textIn(svg, 'value-labels')).toEqual([]);
  });
  it('on a phone, values too wide for their columns are written upwards, each in the plot', () => {
    const months = dataOf('bar', { name: 'm', type: 'text' }, [
      { name: 'n', points: Array.from({ length: 12 }, (_, i) => [`m${i}`, 120_000 + i * 1_000]) },
    ]);
    const svg = renderChart({ type: 'bar', x: { column: 'm' }, labels: true }, months, {
      width: 360,
      height: 300,
    });
    const labels = textIn(svg, 'value-labels');
    expect(labels).toHaveLength(12);
    expect(labels[0]).toMatch(/^120(,000|K|k)/);
    const turned = svg.match(/<g class="value-labels">(.*?)<\/g>/)?.[1] ?? '';
    expect(turned.match(/rotate\(-90 /g)).toHaveLength(12);
    expect(wellFormed(svg)).toBe(true);
  });
  it('names the value axis in words, one measure split by a series column too', () => {
    const split = dataOf('line', { name: 'month', type: 'date' }, [
      { name: 'North', points: MONTHS.slice(0, 6).map((m, i) => [m, 10 + i]) },
      { name: 'South', points: MONTHS.slice(0, 6).map((m, i) => [m, 20 - i]) },
    ]);
    const spec: ChartSpec = {
      type: 'line',
      x: { column: 'month' },
      y: [{ column: 'units', aggregate: 'avg' }],
      series: { column: 'region' },
    };
    expect(
      textsOf(renderChart(spec, split, { width: 600, height: 300 })).map((t) => t.content),
    ).toContain('Average units');
    const one = dataOf('bar', { name: 'region', type: 'text' }, [
      {
        name: 'sum(sales)',
        points: [
          ['North', 3],
          ['South', 4],
        ],
      },
    ]);
    const texts = textsOf(
      renderChart({ type: 'bar', x: { column: 'region' } }, one, { width: 600, height: 300 }),
    ).map((t) => t.content);
    expect(texts).toContain('Total sales');
    expect(texts).not.toContain('sum(sales)');
  });
  it('names the series of empty values "(empty)", not null', () => {
    const gaps = dataOf('line', { name: 'month', type: 'date' }, [
      { name: 'North', points: MONTHS.slice(0, 4).map((m, i) => [m, 10 + i]) },
      { name: null, points: MONTHS.slice(0, 4).map((m, i) => [m, 5 + i]) },
    ] as never);
    const texts = textsOf(renderChart(lineSpec, gaps, { width: 600, height: 300 }));
    const legend = texts.filter((t) => t.group === 'legend').map((t) => t.content);
    expect(legend).toEqual(['North', '(empty)']);
  });
  it('markers put a dot on every point of a line', () => {
    const spec: ChartSpec = { ...lineSpec, markers: true };
    const svg = renderChart(
      spec,
      { ...lineData, series: lineData.series.slice(0, 2) },
      { width: 800, height: 400 },
    );
    expect(svg.match(/<circle /g)).toHaveLength(2 * MONTHS.length);
  });
});

describe('annotations', () => {
  const spec: ChartSpec = {
    ...lineSpec,
    annotations: [
      { type: 'line', value: 40, label: 'Heat warning' },
      { type: 'range', from: '2023-01-01', to: '2023-06-01', label: 'Drought' },
      { type: 'note', x: '2024-07-01', y: 30, label: 'Record July' },
      { type: 'range', from: 'not a date', to: '2023-06-01', label: 'Left out' },
    ],
  };
  const svg = renderChart(spec, lineData, { width: 900, height: 450 });
  it('draws a reference line, a shaded range and a note, each with its label', () => {
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(textIn(svg, 'annotations')).toEqual(['Heat warning', 'Drought', 'Record July']);
    expect(svg).toMatch(/<line [^>]*stroke-dasharray="4 3"/);
    expect(svg).toMatch(/<rect [^>]*fill-opacity="0.07"/);
  });
  it('reaches the reference line with the value axis, though no point does', () => {
    const values = textIn(svg, 'ticks').map(Number).filter(Number.isFinite);
    expect(Math.max(...values)).toBeGreaterThanOrEqual(40);
  });
  it('tells a screen reader what each annotation says', () => {
    expect(svg).toContain('Reference line at 40: Heat warning.');
    expect(svg).toContain('Highlighted from January 2023 to June 2023: Drought.');
    expect(svg).toContain('Note at July 2024, 30: Record July.');
  });
  it('on bars, a reference line crosses the value axis and a range spans categories', () => {
    const [, barSpec, barData] = EXAMPLES[3] as (typeof EXAMPLES)[number];
    const annotated = renderChart(
      {
        ...barSpec,
        annotations: [
          { type: 'line', value: 3000, label: 'Target' },
          { type: 'range', from: 'East', to: 'Central' },
        ],
      },
      barData,
      { width: 700, height: 450 },
    );
    expect(textIn(annotated, 'annotations')).toEqual(['Target']);
    expect(annotated).toMatch(/<rect [^>]*fill-opacity="0.07"/);
  });
});
