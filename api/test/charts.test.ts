import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, uploadCsv } from './support/datasets.ts';

type Point = (string | number | null)[];
interface ChartData {
  series: { name: string; points: Point[] }[];
  downsampled: boolean;
  method: string;
  total_points: number;
  bin_width: number | null;
}

// 300 days, three cities; a temperature with a clear peak and trough, and a category.
const ROWS = Array.from({ length: 300 }, (_, i) => ({
  day: new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 3))).toISOString().slice(0, 10),
  city: ['Paris', 'Lyon', 'Nice'][i % 3] as string,
  temp: Math.round(Math.sin(i / 20) * 150) / 10 + (i === 150 ? 40 : 0),
  rain: (i * 7) % 11,
}));
const CSV = `day,city,temp,rain\n${ROWS.map((r) => `${r.day},${r.city},${r.temp},${r.rain}`).join('\n')}\n`;

describe.each(testEngines)('charts on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let stranger: Account;
  let dataset: DatasetBody;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Charter');
    stranger = await signUp(request, 'Stranger');
    dataset = (await (
      await uploadCsv(request, owner, CSV, { name: 'Weather', visibility: 'public' })
    ).json()) as DatasetBody;
  });
  afterAll(() => database.close());

  const create = (spec: object, extra: object = {}, who: Account = owner) =>
    request(
      '/v1/charts',
      json({ dataset_id: dataset.id, title: 'T', spec, ...extra }, { Cookie: who.cookie }),
    );
  const dataOf = async (id: string, query = '', who: Account | null = owner) => {
    const response = await request(`/v1/charts/${id}/data${query}`, {
      headers: who ? { Cookie: who.cookie } : {},
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as ChartData;
  };
  const idOf = async (response: Response) => {
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };

  it('a line chart of a monthly average per city matches the test’s own averages', async () => {
    const id = await idOf(
      await create({
        type: 'line',
        x: { column: 'day', bucket: 'month' },
        y: [{ column: 'temp', aggregate: 'avg' }],
        series: { column: 'city' },
      }),
    );
    const data = await dataOf(id);
    const expected = new Map<string, Map<string, number[]>>();
    for (const r of ROWS) {
      const month = `${r.day.slice(0, 7)}-01`;
      const byMonth = expected.get(r.city) ?? new Map<string, number[]>();
      byMonth.set(month, [...(byMonth.get(month) ?? []), r.temp]);
      expected.set(r.city, byMonth);
    }
    expect(data.series.map((s) => s.name).sort()).toEqual(['Lyon', 'Nice', 'Paris']);
    for (const series of data.series) {
      const months = [...(expected.get(series.name) ?? new Map()).entries()].sort();
      expect(series.points.map((p) => p[0])).toEqual(months.map(([m]) => m));
      series.points.forEach((p, i) => {
        const values = months[i]?.[1] as number[];
        expect(p[1]).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
      });
    }
  });

  it('bar, area and pie charts aggregate like the test does', async () => {
    const sums = new Map<string, number>();
    const counts = new Map<string, number>();
    for (const r of ROWS) {
      sums.set(r.city, (sums.get(r.city) ?? 0) + r.rain);
      counts.set(r.city, (counts.get(r.city) ?? 0) + 1);
    }
    const bar = await dataOf(
      await idOf(
        await create({
          type: 'bar',
          x: { column: 'city' },
          y: [{ column: 'rain', aggregate: 'sum' }],
          bar: { orientation: 'horizontal', mode: 'stacked' },
        }),
      ),
    );
    expect(Object.fromEntries(bar.series[0]?.points ?? [])).toEqual(Object.fromEntries(sums));
    const pie = await dataOf(
      await idOf(
        await create({
          type: 'pie',
          x: { column: 'city' },
          y: [{ aggregate: 'count' }],
          donut: true,
        }),
      ),
    );
    expect(pie.series).toEqual([{ name: 'count', points: [...counts].sort() }]);
    const area = await dataOf(
      await idOf(
        await create({
          type: 'area',
          x: { column: 'city' },
          y: [
            { column: 'rain', aggregate: 'max' },
            { column: 'rain', aggregate: 'min' },
          ],
          stacked: true,
        }),
      ),
    );
    expect(area.series.map((s) => s.name)).toEqual(['max(rain)', 'min(rain)']);
  });

  it('a scatter plots every row; a histogram counts rows per bin', async () => {
    const scatter = await dataOf(
      await idOf(
        await create({
          type: 'scatter',
          x: { column: 'rain' },
          y: [{ column: 'temp', aggregate: 'none' }],
        }),
      ),
    );
    expect(scatter.total_points).toBe(ROWS.length);
    const histogram = await dataOf(
      await idOf(await create({ type: 'histogram', x: { column: 'temp' }, bins: 10 })),
    );
    const temps = ROWS.map((r) => r.temp);
    const width = histogram.bin_width as number;
    // A round width, and bins that start on a multiple of it.
    expect(width / 10 ** Math.floor(Math.log10(width))).toBeOneOf([1, 2, 5]);
    const edges = histogram.series[0]?.points.map((p) => Number(p[0])) ?? [];
    for (const edge of edges)
      expect(Math.abs(edge / width - Math.round(edge / width))).toBeLessThan(1e-9);
    expect(edges[0]).toBeLessThanOrEqual(Math.min(...temps));
    expect((edges.at(-1) as number) + width).toBeGreaterThanOrEqual(Math.max(...temps));
    const expected = edges.map(() => 0);
    for (const t of temps) {
      const bin = Math.min(edges.length - 1, Math.floor((t - (edges[0] as number)) / width + 1e-9));
      expected[bin] = (expected[bin] ?? 0) + 1;
    }
    expect(histogram.series[0]?.points.map((p) => p[1])).toEqual(expected);
  });

  it('downsamples a long raw series, keeping the first, last, lowest and highest points', async () => {
    const id = await idOf(
      await create({
        type: 'line',
        x: { column: 'day' },
        y: [{ column: 'temp', aggregate: 'none' }],
      }),
    );
    const full = await dataOf(id, '?max_points=100000');
    expect(full.downsampled).toBe(false);
    const small = await dataOf(id, '?max_points=40');
    expect(small.downsampled).toBe(true);
    expect(small.method).toBe('minmax');
    const points = small.series[0]?.points ?? [];
    const all = full.series[0]?.points ?? [];
    expect(points.length).toBeLessThanOrEqual(40);
    expect(points[0]).toEqual(all[0]);
    expect(points.at(-1)).toEqual(all.at(-1));
    const ys = (list: Point[]) => list.map((p) => p[1] as number);
    expect(Math.max(...ys(points))).toBe(Math.max(...ys(all)));
    expect(Math.min(...ys(points))).toBe(Math.min(...ys(all)));
    // Zooming into a range fetches it again at full resolution.
    const zoomed = await dataOf(id, '?from=2024-02-01&to=2024-02-10&max_points=40');
    expect(zoomed.downsampled).toBe(false);
    expect(
      zoomed.series[0]?.points.every(
        (p) => (p[0] as string) >= '2024-02-01' && (p[0] as string) <= '2024-02-10',
      ),
    ).toBe(true);
    // A bound that is not of the x column's type is named by its own parameter (issue 14).
    for (const view of ['data', 'image.svg']) {
      for (const [query, loc] of [
        ['to=abc', ['query', 'to']],
        ['from=2024-02-01&to=abc', ['query', 'to']],
        ['from=abc', ['query', 'from']],
      ] as const) {
        const refused = await request(`/v1/charts/${id}/${view}?${query}`, {
          headers: { Cookie: owner.cookie },
        });
        expect(refused.status).toBe(422);
        expect((await readProblem(refused)).errors?.map((e) => e.loc)).toEqual([loc]);
      }
    }
  });

  it('refuses impossible charts with a 422 naming the field', async () => {
    const cases: [object, (string | number)[]][] = [
      [
        {
          type: 'pie',
          x: { column: 'city' },
          y: [{ aggregate: 'count' }, { column: 'rain', aggregate: 'sum' }],
        },
        ['body', 'spec', 'y'],
      ],
      [
        { type: 'bar', x: { column: 'day' }, y: [{ column: 'city', aggregate: 'sum' }] },
        ['body', 'spec', 'y', 0, 'column'],
      ],
      [{ type: 'line', x: { column: 'nope' } }, ['body', 'spec', 'x', 'column']],
      [{ type: 'line', x: { column: 'city', bucket: 'month' } }, ['body', 'spec', 'x', 'bucket']],
      [
        { type: 'bar', x: { column: 'city' }, y: [{ column: 'temp', aggregate: 'none' }] },
        ['body', 'spec', 'y', 0, 'aggregate'],
      ],
      [{ type: 'histogram', x: { column: 'city' } }, ['body', 'spec', 'x', 'column']],
      [
        {
          type: 'line',
          x: { column: 'day' },
          filters: [{ column: 'temp', op: 'gt', value: 'hot' }],
        },
        ['body', 'spec', 'filters', 0, 'value'],
      ],
    ];
    for (const [spec, loc] of cases) {
      const response = await create(spec);
      expect(response.status, JSON.stringify(spec)).toBe(422);
      expect((await readProblem(response)).errors?.[0]?.loc, JSON.stringify(spec)).toEqual(loc);
    }
    const hidden = (await (await uploadCsv(request, owner, CSV)).json()) as DatasetBody;
    const notYours = await request(
      '/v1/charts',
      json(
        { dataset_id: hidden.id, title: 'T', spec: { type: 'line', x: { column: 'day' } } },
        { Cookie: stranger.cookie },
      ),
    );
    expect((await readProblem(notYours)).errors?.[0]?.loc).toEqual(['body', 'dataset_id']);
  });

  it('shares by visibility, and caches shared chart data with an ETag that follows changes', async () => {
    const id = await idOf(
      await create({ type: 'bar', x: { column: 'city' }, y: [{ aggregate: 'count' }] }),
    );
    expect(
      (await request(`/v1/charts/${id}`, { headers: { Cookie: stranger.cookie } })).status,
    ).toBe(404);
    const privateData = await request(`/v1/charts/${id}/data`, {
      headers: { Cookie: owner.cookie },
    });
    expect(privateData.headers.get('cache-control')).toBe('private, no-cache');

    const patch = (body: object) =>
      request(`/v1/charts/${id}`, {
        method: 'PATCH',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
      });
    expect((await patch({ visibility: 'unlisted' })).status).toBe(200);
    expect((await request(`/v1/charts/${id}`)).status).toBe(200);
    const listed = (await (await request('/v1/charts?limit=100')).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((c) => c.id)).not.toContain(id);

    await patch({ visibility: 'public' });
    const first = await request(`/v1/charts/${id}/data`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, no-cache');
    const etag = first.headers.get('etag') as string;
    const again = await request(`/v1/charts/${id}/data`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);

    await request(
      `/v1/datasets/${dataset.id}/rows`,
      json(
        { rows: [{ day: '2025-01-01', city: 'Brest', temp: 9, rain: 3 }] },
        { Cookie: owner.cookie },
      ),
    );
    const changed = await request(`/v1/charts/${id}/data`, { headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const gallery = (await (await request('/v1/charts?limit=100')).json()) as {
      items: { id: string }[];
    };
    expect(gallery.items.map((c) => c.id)).toContain(id);

    expect(
      (
        await request(`/v1/charts/${id}`, {
          method: 'DELETE',
          headers: { Cookie: stranger.cookie },
        })
      ).status,
    ).toBe(404);
    expect(
      (await request(`/v1/charts/${id}`, { method: 'DELETE', headers: { Cookie: owner.cookie } }))
        .status,
    ).toBe(204);
  });

  it('renders each chart type as an SVG image with its title, axis labels and a description', async () => {
    const specs = [
      {
        type: 'line',
        x: { column: 'day', bucket: 'month' },
        y: [{ column: 'temp', aggregate: 'avg' }],
        series: { column: 'city' },
        format: { x_label: 'Month', y_label: 'Temperature' },
      },
      {
        type: 'bar',
        x: { column: 'city' },
        y: [{ column: 'rain', aggregate: 'sum' }],
        bar: { orientation: 'horizontal', mode: 'stacked' },
      },
      { type: 'area', x: { column: 'day' }, y: [{ column: 'temp', aggregate: 'none' }] },
      { type: 'scatter', x: { column: 'rain' }, y: [{ column: 'temp', aggregate: 'none' }] },
      { type: 'histogram', x: { column: 'temp' } },
      { type: 'pie', x: { column: 'city' }, y: [{ aggregate: 'count' }], donut: true },
    ];
    for (const spec of specs) {
      const id = await idOf(
        await create(spec, { title: `A <${spec.type}> & more`, visibility: 'public' }),
      );
      const response = await request(`/v1/charts/${id}/image.svg?width=640&height=360&theme=dark`);
      expect(response.status, spec.type).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
      const svg = await response.text();
      expect(svg, spec.type).toMatch(/^<\?xml[^>]*>\s*<svg [^>]*role="img"/);
      expect(svg).toContain(`<title id="chart-title">A &lt;${spec.type}&gt; &amp; more</title>`);
      expect(svg).toContain('<desc id="chart-desc">');
      expect(svg).not.toMatch(/NaN|undefined|Infinity/);
      if (spec.type !== 'pie') expect(svg).toContain('class="axis-label"');
      const etag = response.headers.get('etag') as string;
      expect(
        (
          await request(`/v1/charts/${id}/image.svg?width=640&height=360&theme=dark`, {
            headers: { 'If-None-Match': etag },
          })
        ).status,
      ).toBe(304);
    }
    const labelled = await request('/v1/charts?limit=100');
    expect(labelled.status).toBe(200);
  });
});
