import { describe, expect, it } from 'vitest';
import { renderChart } from '../src/index.ts';
import { PALETTES } from '../src/palette.ts';
import { textWidth } from '../src/text-width.ts';
import { dataOf, EXAMPLES, REGIONS } from './fixtures.ts';
import { type DrawnText, textsOf, wellFormed } from './svg-reading.ts';

const WIDTHS = [280, 360, 768, 1280, 1920];
const heightFor = (width: number) => Math.round(Math.min(600, Math.max(260, width * 0.6)));

/** Left and right edges of a horizontal label, by its anchor. */
function span(t: DrawnText): [number, number] {
  const w = textWidth(t.content, t.size);
  if (t.anchor === 'middle') return [t.x - w / 2, t.x + w / 2];
  if (t.anchor === 'end') return [t.x - w, t.x];
  return [t.x, t.x + w];
}

function overlaps(texts: DrawnText[]): string[] {
  const clashes: string[] = [];
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i] as DrawnText;
      const b = texts[j] as DrawnText;
      if (a.rotated || b.rotated || Math.abs(a.y - b.y) >= Math.max(a.size, b.size)) continue;
      const [a0, a1] = span(a);
      const [b0, b1] = span(b);
      if (a0 < b1 && b0 < a1) clashes.push(`"${a.content}" / "${b.content}"`);
    }
  }
  return clashes;
}

describe('every chart at every width', () => {
  for (const [name, spec, data] of EXAMPLES) {
    for (const width of WIDTHS) {
      it(`${name} at ${width} px: valid SVG, text ≥ 11 px, no labels overlapping or cut`, () => {
        const svg = renderChart(spec, data, {
          width,
          height: heightFor(width),
          title: 'Average temperature by month and region, 2022–2024',
        });
        expect(wellFormed(svg)).toBe(true);
        expect(svg).not.toMatch(/NaN|undefined|Infinity/);
        expect(svg).toMatch(new RegExp(`^<svg [^>]*width="${width}"[^>]*role="img"`));
        const texts = textsOf(svg);
        for (const t of texts) expect(t.size, t.content).toBeGreaterThanOrEqual(11);
        const ticks = texts.filter((t) => t.group === 'ticks');
        if (spec.type !== 'pie') expect(ticks.length, 'tick labels').toBeGreaterThan(1);
        expect(overlaps(ticks)).toEqual([]);
        expect(overlaps(texts.filter((t) => t.group === 'legend'))).toEqual([]);
        // Marks are drawn in the plot's own coordinates (a pie's from its centre).
        for (const t of texts.filter((t) => !t.rotated && t.group !== '' && t.group !== 'marks')) {
          const [left, right] = span(t);
          expect(left, t.content).toBeGreaterThanOrEqual(0);
          expect(right, t.content).toBeLessThanOrEqual(width);
        }
        // A label turned 45° hangs left of its anchor: it must not start left of the picture.
        for (const t of texts.filter((t) => t.rotated)) {
          expect(
            t.x - textWidth(t.content, t.size) * Math.SQRT1_2,
            t.content,
          ).toBeGreaterThanOrEqual(0);
        }
      });
    }
  }
});

describe('ticks a reader expects', () => {
  const labels = (svg: string) =>
    textsOf(svg)
      .filter((t) => t.group === 'ticks')
      .map((t) => t.content);
  const [, lineSpec, lineData] = EXAMPLES[0] as (typeof EXAMPLES)[number];
  it('a monthly line over three years reads months and years, never a full date', () => {
    const ticks = labels(renderChart(lineSpec, lineData, { width: 960, height: 480 }));
    expect(ticks).toContain('2023');
    expect(ticks).toContain('Jul');
    for (const t of ticks.filter((t) => !/^\d+$/.test(t))) expect(t).toMatch(/^[A-Z][a-z]{2}$/);
  });
  it('on a phone it reads years alone', () => {
    const ticks = labels(renderChart(lineSpec, lineData, { width: 300, height: 300 }));
    expect(ticks.filter((t) => /^20\d\d$/.test(t))).toEqual(['2022', '2023', '2024']);
    expect(ticks.some((t) => /^[A-Z]/.test(t))).toBe(false);
  });
  it('histogram and scatter axes tick at round numbers', () => {
    for (const [name, spec, data] of EXAMPLES.filter(
      ([n]) => n === 'histogram' || n === 'scatter',
    )) {
      const ticks = labels(renderChart(spec, data, { width: 800, height: 400 }));
      const numbers = ticks.map((t) => Number(t.replace(/,/g, '').replace('\u2212', '-')));
      for (const n of numbers)
        expect(n % 1 === 0 || (n * 10) % 1 === 0, `${name}: ${n}`).toBe(true);
      expect(ticks.join(' '), name).not.toMatch(/\d\.\d{2,}/);
    }
  });
  it('one unit per axis, and zero written as 0', () => {
    const data = dataOf('bar', { name: 'region', type: 'text' }, [
      { name: 'sales', points: REGIONS.slice(0, 4).map((r, i) => [r, 2500 * (i + 1)]) },
    ]);
    const ticks = labels(
      renderChart({ type: 'bar', x: { column: 'region' } }, data, { width: 600, height: 400 }),
    );
    const values = ticks.filter((t) => /\d/.test(t));
    expect(values).toContain('0');
    expect(values.filter((t) => t !== '0').every((t) => t.endsWith('K'))).toBe(true);
  });
});

describe('many series', () => {
  const [, spec, data] = EXAMPLES[0] as (typeof EXAMPLES)[number];
  it('twelve series get twelve colours, and the legend names all twelve', () => {
    const svg = renderChart(spec, data, { width: 360, height: 400 });
    const legend = textsOf(svg)
      .filter((t) => t.group === 'legend')
      .map((t) => t.content);
    expect(legend).toEqual(REGIONS);
    const strokes = [
      ...svg.matchAll(/<path d="[^"]+" fill="none" stroke="(#[0-9A-Fa-f]{6})"/g),
    ].map((m) => m[1]);
    expect(new Set(strokes).size).toBe(12);
    expect(strokes).toEqual(PALETTES.light);
  });
  it('a pie of twenty slices draws the eleven largest and folds the rest into Other, with shares', () => {
    const names = Array.from({ length: 20 }, (_, i) => `Party ${i + 1}`);
    const pie = dataOf('pie', { name: 'party', type: 'text' }, [
      { name: 'votes', points: names.map((n, i) => [n, 2000 - i * 90]) },
    ]);
    const svg = renderChart({ type: 'pie', x: { column: 'party' } }, pie, {
      width: 800,
      height: 500,
    });
    const legend = textsOf(svg)
      .filter((t) => t.group === 'legend')
      .map((t) => t.content);
    expect(legend).toHaveLength(12);
    expect(legend[0]).toMatch(/^Party 1 \d+%$/);
    expect(legend[11]).toMatch(/^Other \(9 more\) \d+%$/);
    expect(svg).toMatch(/>\d+%<\/text>/);
  });
  it('a zoomed view that ranks series afresh keeps each series its colour and its place', () => {
    const strokes = (svg: string) =>
      [...svg.matchAll(/<path d="[^"]+" fill="none" stroke="(#[0-9A-Fa-f]{6})"/g)].map((m) => m[1]);
    const whole = strokes(renderChart(spec, data, { width: 600, height: 400 }));
    const zoomed = { ...data, series: [...data.series].reverse().slice(0, 6) };
    const order = data.series.map((s) => String(s.name));
    const kept = strokes(
      renderChart(spec, zoomed, { width: 600, height: 400, colourOrder: order }),
    );
    expect(kept).toEqual(whole.slice(6));
    const legendOf = (svg: string) =>
      textsOf(svg)
        .filter((t) => t.group === 'legend')
        .map((t) => t.content);
    const zoomedSvg = renderChart(spec, zoomed, { width: 600, height: 400, colourOrder: order });
    expect(legendOf(zoomedSvg)).toEqual(order.slice(6));
  });
  it('a pie of twelve on a phone (drawn taller there) names every slice in its legend', () => {
    const names = REGIONS.map((r) => `${r} district council`);
    const pie = dataOf('pie', { name: 'area', type: 'text' }, [
      { name: 'votes', points: names.map((n, i) => [n, 2000 - i * 90]) },
    ]);
    const svg = renderChart({ type: 'pie', x: { column: 'area' } }, pie, {
      width: 360,
      height: 432,
    });
    const legend = textsOf(svg).filter((t) => t.group === 'legend');
    expect(legend).toHaveLength(12);
    expect(legend.some((t) => t.content.includes('more'))).toBe(false);
  });
  it('says when the API left smaller series out', () => {
    const capped = { ...data, other_series: 7 };
    expect(renderChart(spec, capped, { width: 600, height: 400 })).toContain(
      '7 smaller series not shown',
    );
  });
});

describe('hostile and odd data', () => {
  it('names with markup stay text, and characters XML forbids are dropped', () => {
    const evil = '<img src=x onerror=alert(1)>"&\u0001\ud800';
    const data = dataOf('bar', { name: evil, type: 'text' }, [
      {
        name: evil,
        points: [
          [evil, 1],
          ['b', 2],
        ],
      },
      { name: 'second', points: [[evil, 3]] },
    ]);
    const svg = renderChart({ type: 'bar', x: { column: 'x' } }, data, {
      width: 500,
      height: 300,
      title: evil,
      description: evil,
    });
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&amp;');
  });
  it('empty, null and non-numeric values draw "No data to show" or skip the point', () => {
    const empty = dataOf('line', { name: 'day', type: 'date' }, [{ name: 'v', points: [] }]);
    expect(
      renderChart({ type: 'line', x: { column: 'day' } }, empty, { width: 400, height: 300 }),
    ).toContain('No data to show');
    const odd = dataOf('line', { name: 'day', type: 'date' }, [
      {
        name: 'v',
        points: [
          ['2024-01-01', null],
          ['not a date', 3],
          ['2024-01-03', 'x'],
          ['2024-01-04', 5],
        ],
      },
    ]);
    const svg = renderChart({ type: 'line', x: { column: 'day' } }, odd, {
      width: 400,
      height: 300,
    });
    expect(wellFormed(svg)).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });
  it('a hundred thousand points draw without overflowing the stack', () => {
    const points = Array.from({ length: 100_000 }, (_, i) => [i, Math.sin(i / 100)]);
    const data = dataOf('scatter', { name: 'i', type: 'integer' }, [{ name: 'v', points }]);
    const svg = renderChart({ type: 'line', x: { column: 'i' } }, data, {
      width: 800,
      height: 400,
    });
    expect(wellFormed(svg)).toBe(true);
  });
  it('values near the largest double still draw at finite positions', () => {
    const huge = [1e308, -1e308, 1.7976931348623157e308];
    for (const type of ['bar', 'area', 'scatter', 'pie', 'histogram'] as const) {
      const data = dataOf(
        type,
        { name: 'x', type: type === 'bar' || type === 'pie' ? 'text' : 'number' },
        [
          {
            name: 'v',
            points: huge.map((v, i) => [type === 'bar' || type === 'pie' ? `c${i}` : v, v]),
          },
        ],
        type === 'histogram' ? { bin_width: 1.3e307 } : {},
      );
      const spec = { type, x: { column: 'x' }, ...(type === 'area' ? { stacked: true } : {}) };
      const svg = renderChart(spec, data, { width: 600, height: 400 });
      expect(wellFormed(svg), type).toBe(true);
      expect(svg, type).not.toMatch(/NaN|Infinity|∞/);
    }
  });
  it('sizes out of range are clamped, not trusted', () => {
    const [, spec, data] = EXAMPLES[2] as (typeof EXAMPLES)[number];
    const svg = renderChart(spec, data, { width: Number.NaN, height: 1e9 });
    expect(svg).toMatch(/^<svg [^>]*width="120" height="4000"/);
  });
});

describe('the document', () => {
  const [, spec, data] = EXAMPLES[0] as (typeof EXAMPLES)[number];
  it('is an accessible image, with ids unique to the chart', () => {
    const svg = renderChart(spec, data, {
      width: 600,
      height: 400,
      title: 'Temps',
      idPrefix: 'c42',
    });
    expect(svg).toMatch(/role="img" aria-labelledby="c42-title c42-desc"/);
    expect(svg).toContain('<title id="c42-title">Temps</title>');
    expect(svg).toMatch(
      /<desc id="c42-desc">Line chart of values by day\. 12 series: North, South/,
    );
    expect(svg).toMatch(/From January 2022 to December 2024\./);
  });
  it('stands alone with an XML declaration for the API', () => {
    const svg = renderChart(spec, data, { width: 600, height: 400, standalone: true });
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
  });
  it('draws the dark theme on a dark background', () => {
    const svg = renderChart(spec, data, { width: 600, height: 400, theme: 'dark' });
    expect(svg).toContain('fill="#0b1120"');
    expect(svg).toContain(PALETTES.dark[0]);
  });
});
