import type { ChartData, ChartSpec } from '../src/types.ts';

/** `/data` answers shaped as the API sends them, for the renderer's tests. */
export function dataOf(
  type: ChartData['type'],
  x: ChartData['x'],
  series: ChartData['series'],
  extra: Partial<ChartData> = {},
): ChartData {
  return {
    chart_id: '0b5a3f4e-2c1d-4e8f-9a7b-6c5d4e3f2a1b',
    type,
    x,
    series,
    bin_width: null,
    downsampled: false,
    method: 'none',
    total_points: series.reduce((n, s) => n + s.points.length, 0),
    other_series: 0,
    other_categories: 0,
    ...extra,
  };
}

export const MONTHS = Array.from({ length: 36 }, (_, i) => {
  const year = 2022 + Math.floor(i / 12);
  return `${year}-${String((i % 12) + 1).padStart(2, '0')}-01`;
});

export const REGIONS = [
  'North',
  'South',
  'East',
  'West',
  'Central',
  'Highlands',
  'Islands',
  'Coast',
  'Valley',
  'Plains',
  'Metro',
  'Borders',
];

const monthly = (count: number) =>
  REGIONS.slice(0, count).map((name, i) => ({
    name,
    points: MONTHS.map((m, j) => [m, 10 + i * 2 + 5 * Math.sin(j / 2 + i) + j / 30]),
  }));

/** One chart of each kind, as a newsroom would make them from a 3-year, 12-region CSV. */
export const EXAMPLES: [string, ChartSpec, ChartData][] = [
  [
    'line',
    {
      type: 'line',
      x: { column: 'day', bucket: 'month' },
      y: [{ column: 'temp', aggregate: 'avg' }],
      series: { column: 'region' },
    },
    dataOf('line', { name: 'day', type: 'date' }, monthly(12)),
  ],
  [
    'stacked area',
    { type: 'area', stacked: true, x: { column: 'day', bucket: 'month' } },
    dataOf('area', { name: 'day', type: 'date' }, monthly(5)),
  ],
  [
    'bar',
    { type: 'bar', x: { column: 'region' } },
    dataOf('bar', { name: 'region', type: 'text' }, [
      { name: 'sum sales', points: REGIONS.map((r, i) => [r, 1000 * (i + 1) + 333]) },
    ]),
  ],
  [
    'bar with long names first',
    { type: 'bar', x: { column: 'area' } },
    dataOf('bar', { name: 'area', type: 'text' }, [
      {
        name: 'sum sales',
        points: ['West Midlands Combined Authority', 'East Midlands', ...REGIONS].map((r, i) => [
          r,
          900 - i * 40,
        ]),
      },
    ]),
  ],
  [
    'horizontal stacked bar',
    { type: 'bar', x: { column: 'region' }, bar: { orientation: 'horizontal', mode: 'stacked' } },
    dataOf(
      'bar',
      { name: 'region', type: 'text' },
      ['2023', '2024'].map((name, s) => ({
        name,
        points: REGIONS.map((r, i) => [r, 500 * (i + 1) - 300 * s]),
      })),
    ),
  ],
  [
    'grouped monthly bar',
    { type: 'bar', x: { column: 'day', bucket: 'month' } },
    dataOf('bar', { name: 'day', type: 'date' }, monthly(3)),
  ],
  [
    'scatter',
    { type: 'scatter', x: { column: 'rain' }, size: { column: 'pop' } },
    dataOf('scatter', { name: 'rain', type: 'number' }, [
      {
        name: 'temp',
        points: Array.from({ length: 300 }, (_, i) => [i * 0.098, 15 + 10 * Math.sin(i), i % 7]),
      },
    ]),
  ],
  [
    'histogram',
    { type: 'histogram', x: { column: 'price' }, bins: 20 },
    dataOf(
      'histogram',
      { name: 'price', type: 'number' },
      [
        {
          name: 'count',
          points: Array.from({ length: 20 }, (_, i) => [16.8 + i * 67.7, 5 + ((i * 37) % 90)]),
        },
      ],
      { bin_width: 67.7 },
    ),
  ],
  [
    'donut',
    { type: 'pie', x: { column: 'region' }, donut: true },
    dataOf('pie', { name: 'region', type: 'text' }, [
      { name: 'count', points: REGIONS.map((r, i) => [r, 100 + 37 * i]) },
    ]),
  ],
];
