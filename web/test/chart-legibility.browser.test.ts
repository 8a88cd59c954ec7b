// The renderer's drawings measured where people see them: each chart type with 1, 5 and 30
// series over day, month and year buckets, at phone to desktop widths, loaded into Chromium;
// the boxes the browser gives each label (not the renderer's own estimate) must not overlap,
// stay inside the picture, and be drawn at 11 CSS px or more.
import { type ChartData, type ChartSpec, renderChart } from '@chartroom/charts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.ts';

const WIDTHS = [360, 768, 1280, 1920];
const BUCKETS = { day: 90, month: 36, year: 15 } as const;
type Bucket = keyof typeof BUCKETS;

function dates(bucket: Bucket): string[] {
  return Array.from({ length: BUCKETS[bucket] }, (_, i) => {
    const d = new Date(Date.UTC(2010, 0, 1));
    if (bucket === 'day') d.setUTCDate(1 + i);
    if (bucket === 'month') d.setUTCMonth(i);
    if (bucket === 'year') d.setUTCFullYear(2010 + i);
    return d.toISOString().slice(0, 10);
  });
}

const names = (count: number) =>
  Array.from({ length: count }, (_, i) => (count === 1 ? 'sum sales' : `Region number ${i + 1}`));

function data(type: ChartData['type'], x: ChartData['x'], series: ChartData['series']): ChartData {
  return {
    chart_id: '0b5a3f4e-2c1d-4e8f-9a7b-6c5d4e3f2a1b',
    type,
    x,
    series,
    bin_width: type === 'histogram' ? 12.5 : null,
    downsampled: false,
    method: 'none',
    total_points: 0,
    other_series: 0,
    other_categories: 0,
  };
}

/** Every combination the issue names, as [label, spec, data]. */
function cases(): [string, ChartSpec, ChartData][] {
  const out: [string, ChartSpec, ChartData][] = [];
  for (const bucket of Object.keys(BUCKETS) as Bucket[]) {
    const xs = dates(bucket);
    for (const count of [1, 5, 30]) {
      const series = names(count).map((name, s) => ({
        name,
        points: xs.map((x, i) => [x, 1000 + s * 150 + Math.round(400 * Math.sin(i / 4 + s))]),
      }));
      const x = { column: 'day', bucket };
      const time = { name: 'day', type: 'date' as const };
      out.push([`line ${count}×${bucket}`, { type: 'line', x }, data('line', time, series)]);
      out.push([
        `stacked area ${count}×${bucket}`,
        { type: 'area', stacked: true, x },
        data('area', time, series),
      ]);
      out.push([
        `stacked bar ${count}×${bucket}`,
        { type: 'bar', x, bar: { mode: 'stacked' } },
        data('bar', time, series),
      ]);
    }
  }
  const regions = names(30).map((n) => n.replace('Region number', 'District'));
  for (const count of [1, 5, 30]) {
    const series = names(count).map((name, s) => ({
      name,
      points: regions.slice(0, 12).map((r, i) => [r, 200 + 90 * i + 10 * s]),
    }));
    const text = { name: 'district', type: 'text' as const };
    out.push([
      `bars ${count}`,
      { type: 'bar', x: { column: 'district' } },
      data('bar', text, series),
    ]);
    out.push([
      `horizontal bars ${count}`,
      { type: 'bar', x: { column: 'district' }, bar: { orientation: 'horizontal' }, labels: true },
      data('bar', text, series),
    ]);
    out.push([
      `scatter ${count}`,
      { type: 'scatter', x: { column: 'rain' } },
      data(
        'scatter',
        { name: 'rain', type: 'number' },
        series.map((s, k) => ({
          name: s.name,
          points: Array.from({ length: 60 }, (_, i) => [
            i * 1.7 + k,
            15 + ((i * 37 + k * 11) % 40),
          ]),
        })),
      ),
    ]);
  }
  out.push([
    'bar with long names first',
    { type: 'bar', x: { column: 'area' } },
    data('bar', { name: 'area', type: 'text' }, [
      {
        name: 'sum sales',
        points: ['West Midlands Combined Authority', 'East Midlands', 'London', 'Wales'].map(
          (r, i) => [r, 900 - i * 40],
        ),
      },
    ]),
  ]);
  out.push([
    'histogram',
    { type: 'histogram', x: { column: 'price' } },
    data('histogram', { name: 'price', type: 'number' }, [
      {
        name: 'count',
        points: Array.from({ length: 20 }, (_, i) => [3.7 + i * 12.5, (i * 53) % 97]),
      },
    ]),
  ]);
  out.push([
    'pie of 30',
    { type: 'pie', x: { column: 'district' }, donut: true },
    data('pie', { name: 'district', type: 'text' }, [
      { name: 'count', points: regions.map((r, i) => [r, 3000 - i * 90]) },
    ]),
  ]);
  return out;
}

interface Measured {
  name: string;
  overlaps: string[];
  outside: string[];
  small: string[];
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

describe('chart labels as Chromium draws them', () => {
  for (const width of WIDTHS) {
    it(`never overlap, stay inside and read at ≥ 11 px at ${width} px`, {
      timeout: 60_000,
    }, async () => {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      const all = cases();
      const height = width < 560 ? Math.round(width * 0.9) : Math.round(width * 0.5625);
      const svgs = all.map(
        ([name, spec, d], i) =>
          `<div data-name="${name}">${renderChart(spec, d, { width, height, title: `${name}: Average weekly household spending on energy by region, Great Britain, 2010–2024`, idPrefix: `c${i}` })}</div>`,
      );
      await page.setContent(`<!doctype html><body style="margin:0">${svgs.join('')}</body>`);
      const results = (await page.evaluate(() => {
        const intersects = (a: DOMRect, b: DOMRect) =>
          a.left < b.right - 0.5 &&
          b.left < a.right - 0.5 &&
          a.top < b.bottom - 0.5 &&
          b.top < a.bottom - 0.5;
        return [...document.querySelectorAll('div[data-name]')].map((holder) => {
          const svg = holder.querySelector('svg') as SVGSVGElement;
          const frame = svg.getBoundingClientRect();
          const texts = [...svg.querySelectorAll('text')];
          const boxes = texts.map((t) => ({ t, box: t.getBoundingClientRect() }));
          const overlaps: string[] = [];
          // Labels of the same kind must not overlap one another: ticks, legend names, values.
          for (const group of ['ticks', 'legend', 'value-labels', 'annotations']) {
            const inGroup = boxes.filter(({ t }) => t.closest(`g.${group}`));
            for (let i = 0; i < inGroup.length; i++) {
              for (let j = i + 1; j < inGroup.length; j++) {
                const a = inGroup[i] as (typeof inGroup)[number];
                const b = inGroup[j] as (typeof inGroup)[number];
                if (intersects(a.box, b.box))
                  overlaps.push(`${a.t.textContent} / ${b.t.textContent}`);
              }
            }
          }
          // A legend's colour key must not touch the name before it.
          const names = boxes.filter(({ t }) => t.closest('g.legend'));
          for (const swatch of svg.querySelectorAll('g.legend rect')) {
            const box = swatch.getBoundingClientRect();
            for (const name of names) {
              if (intersects(box, name.box)) overlaps.push(`key / ${name.t.textContent}`);
            }
          }
          const outside = boxes
            .filter(
              ({ box }) =>
                box.left < frame.left - 0.5 ||
                box.right > frame.right + 0.5 ||
                box.top < frame.top - 0.5 ||
                box.bottom > frame.bottom + 0.5,
            )
            .map(({ t }) => t.textContent ?? '');
          const small = texts
            .filter((t) => Number.parseFloat(getComputedStyle(t).fontSize) < 11)
            .map((t) => t.textContent ?? '');
          return { name: (holder as HTMLElement).dataset.name ?? '', overlaps, outside, small };
        });
      })) as Measured[];
      await page.close();
      expect(results).toHaveLength(all.length);
      const problems = results.filter(
        (r) => r.overlaps.length || r.outside.length || r.small.length,
      );
      expect(problems).toEqual([]);
    });
  }
});
