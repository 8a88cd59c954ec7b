import { type ChartData, renderChart } from '@chartroom/charts';
import { describe, expect, it } from 'vitest';
import { heightFor } from '../src/lib/chart-view.ts';

const REGIONS = [
  'North East',
  'North West',
  'Yorkshire and the Humber',
  'East Midlands',
  'West Midlands',
  'East of England',
  'London',
  'South East',
  'South West',
  'Wales',
  'Scotland',
  'Northern Ireland',
];

describe('the height a page draws a chart at', () => {
  it('gives horizontal bars a line per category, so a phone names all twelve regions', () => {
    const data: ChartData = {
      type: 'bar',
      x: { name: 'region', type: 'text' },
      series: [{ name: 'sum(sales)', points: REGIONS.map((r, i) => [r, 1000 + i * 150]) }],
      bin_width: null,
      downsampled: false,
      method: 'none',
      total_points: 12,
      other_series: 0,
      other_categories: 0,
    };
    const spec = {
      type: 'bar',
      x: { column: 'region' },
      bar: { orientation: 'horizontal' },
    } as const;
    const svg = renderChart(spec, data, { width: 328, height: heightFor(328, 'bar', 12) });
    const ticks = svg.match(/<g class="ticks">[\s\S]*?<\/g>/)?.[0] ?? '';
    for (const region of ['North East', 'Yorkshire', 'Northern Ireland', 'London']) {
      expect(ticks).toContain(region);
    }
    expect(heightFor(328, 'bar', 12)).toBeGreaterThan(heightFor(328, 'bar'));
  });
});
