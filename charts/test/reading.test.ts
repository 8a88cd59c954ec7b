import { describe, expect, it } from 'vitest';
import { drawChart } from '../src/index.ts';
import type { Reading } from '../src/reading.ts';
import { EXAMPLES, REGIONS } from './fixtures.ts';

const readingOf = (name: string, width = 800) => {
  const [, spec, data] = EXAMPLES.find(([n]) => n === name) as (typeof EXAMPLES)[number];
  return drawChart(spec, data, { width, height: 480 }).reading as Reading;
};

describe('what a reader can read off each chart', () => {
  for (const [name, spec, data] of EXAMPLES) {
    it(`${name}: every stop lies in the drawing and reads formatted values`, () => {
      const drawn = drawChart(spec, data, { width: 360, height: 400 });
      const stops = drawn.reading?.stops ?? [];
      expect(stops.length).toBeGreaterThan(0);
      for (const stop of stops) {
        expect(stop.x).toBeGreaterThanOrEqual(0);
        expect(stop.x).toBeLessThanOrEqual(360);
        expect(stop.y).toBeGreaterThanOrEqual(0);
        expect(stop.y).toBeLessThanOrEqual(400);
        expect(stop.rows.length).toBeGreaterThan(0);
        // Written as the chart writes numbers: never 10.033333333333333.
        for (const row of stop.rows) expect(row.value).not.toMatch(/\d\.\d{4,}/);
      }
    });
  }

  it('a line is read per month, every series named with its colour, left to right', () => {
    const reading = readingOf('line');
    expect(reading.pick).toBe('x');
    expect(reading.stops).toHaveLength(36);
    expect(reading.stops[0]?.title).toBe('January 2022');
    expect(reading.stops[0]?.rows.map((r) => r.name)).toEqual(REGIONS);
    expect(new Set(reading.stops[0]?.rows.map((r) => r.colour)).size).toBe(12);
    const xs = reading.stops.map((s) => s.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it('a stacked bar is read per category along y, with its total', () => {
    const reading = readingOf('horizontal stacked bar');
    expect(reading.pick).toBe('y');
    expect(reading.stops).toHaveLength(12);
    const north = reading.stops.find((s) => s.title === 'North');
    expect(north?.rows.map((r) => [r.name, r.value])).toEqual([
      ['2023', '500'],
      ['2024', '200'],
      ['Total', '700'],
    ]);
  });

  it('a histogram is read per bin, named by its range', () => {
    const reading = readingOf('histogram');
    expect(reading.stops).toHaveLength(20);
    expect(reading.stops[0]?.title).toMatch(/^16\.8 to 84\.5$/);
    expect(reading.stops[0]?.rows[0]?.name).toBe('Rows');
  });

  it('a scatter is read dot by dot, with x, y and size', () => {
    const reading = readingOf('scatter');
    expect(reading.pick).toBe('point');
    expect(reading.stops).toHaveLength(300);
    expect(reading.stops[0]?.rows.map((r) => r.name)).toEqual(['rain', 'temp', 'pop']);
  });

  it('a donut is read slice by slice, its angles covering the circle, with shares', () => {
    const reading = readingOf('donut');
    expect(reading.pick).toBe('angle');
    expect(reading.centre).toBeDefined();
    expect(reading.stops[0]?.angles?.[0]).toBe(0);
    expect(reading.stops.at(-1)?.angles?.[1]).toBeCloseTo(2 * Math.PI, 6);
    expect(reading.stops[0]?.rows[0]?.value).toMatch(/^100 \(\d+%\)$/);
  });
});
