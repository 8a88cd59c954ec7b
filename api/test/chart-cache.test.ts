import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

const CSV = `day,region,v\n${Array.from(
  { length: 300 },
  (_, i) =>
    `2024-01-${String((i % 28) + 1).padStart(2, '0')},${['North', 'South'][i % 2]},${i % 17}`,
).join('\n')}\n`;

interface Data {
  x: { name: string };
  series: { name: string; points: [string, number][] }[];
}

// Issue 13: chart views are computed once per version of chart, dataset and query, and served
// from a bounded cache; equal requests in flight share one computation; never stale.
describe.each(testEngines)('chart answers from the cache, on %s', (engine) => {
  let database: TestDatabase;
  let owner: Account;
  let datasetId: string;
  let chartId: string;
  // Straight to the app: the contract-checking client reads every body to check it.
  const direct = (env: Record<string, string> = {}) => {
    const app = createTestApp(database, env);
    return (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));
  };
  const checked = () => contractClient(createTestApp(database));
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    owner = await signUp(checked(), 'Cacher');
    const response = await uploadCsv(checked(), owner, CSV, { visibility: 'public' });
    datasetId = ((await response.json()) as { id: string }).id;
    chartId = await createChart(checked(), owner, datasetId, {
      type: 'line',
      x: { column: 'day', bucket: 'week' },
      y: [{ column: 'v', aggregate: 'avg' }],
      series: { column: 'region' },
    });
  });
  afterAll(() => database.close());

  const append = (rows: object[]) =>
    checked()(`/v1/datasets/${datasetId}/rows`, json({ rows }, { Cookie: owner.cookie }));

  it('answers a repeat with the same bytes under a weak ETag, and 304 to it', async () => {
    const request = checked();
    for (const view of ['data', 'image.svg?width=400']) {
      const first = await request(`/v1/charts/${chartId}/${view}`);
      const second = await request(`/v1/charts/${chartId}/${view}`);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag') as string;
      expect(etag).toMatch(/^W\/"[\w-]+"$/);
      expect(second.headers.get('etag')).toBe(etag);
      expect(await second.text()).toBe(await first.text());
      const again = await request(`/v1/charts/${chartId}/${view}`, {
        headers: { 'If-None-Match': etag },
      });
      expect(again.status).toBe(304);
      // A cache that drops the W/ still matches.
      const bare = await request(`/v1/charts/${chartId}/${view}`, {
        headers: { 'If-None-Match': etag.slice(2) },
      });
      expect(bare.status).toBe(304);
    }
  });

  it('serves a cached view without a heavy-read slot, and computes a new one with one', async () => {
    const request = direct({
      HEAVY_READS_CONCURRENCY: '1',
      HEAVY_READS_PER_CALLER: '1000',
      HEAVY_READS_WAIT_MS: '0',
    });
    expect((await request(`/v1/charts/${chartId}/data`)).status).toBe(200);
    // An export holds the one slot until its stream is read.
    const exporting = await request(`/v1/datasets/${datasetId}/rows`, {
      headers: { Accept: 'text/csv' },
    });
    expect(exporting.status).toBe(200);
    expect((await request(`/v1/charts/${chartId}/data`)).status).toBe(200);
    // Not computed yet: it needs the slot, and says the server is busy.
    expect((await request(`/v1/charts/${chartId}/data?max_points=123`)).status).toBe(503);
    await exporting.text();
    expect((await request(`/v1/charts/${chartId}/data?max_points=123`)).status).toBe(200);
  });

  it('lets equal requests in flight wait for one computation', async () => {
    // One slot per caller, no waiting: twenty computations at once would be refused 429.
    const request = direct({ HEAVY_READS_PER_CALLER: '1', HEAVY_READS_WAIT_MS: '0' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(`/v1/charts/${chartId}/image.svg?width=333`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const bodies = new Set(await Promise.all(answers.map((a) => a.text())));
    expect(bodies.size).toBe(1);
  });

  it('is never stale: an append, a chart edit or a dataset edit makes a new answer', async () => {
    const request = direct();
    const read = async () => (await (await request(`/v1/charts/${chartId}/data`)).json()) as Data;
    const before = await read();
    const appended = await append([{ day: '2024-03-01', region: 'East', v: 5 }]);
    expect(appended.status).toBe(201);
    const after = await read();
    expect(after.series.map((s) => s.name)).toContain('East');
    expect(before.series.map((s) => s.name)).not.toContain('East');

    const edited = await checked()(`/v1/charts/${chartId}`, {
      method: 'PATCH',
      body: JSON.stringify({
        spec: {
          type: 'line',
          x: { column: 'day', bucket: 'month' },
          y: [{ column: 'v', aggregate: 'max' }],
          series: { column: 'region' },
        },
      }),
      headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
    });
    expect(edited.status).toBe(200);
    const monthly = await read();
    expect(monthly.series[0]?.points.length).toBeLessThan(after.series[0]?.points.length ?? 0);

    expect(monthly).toMatchObject({ x: { name: 'day (month)' } });
    const relabelled = await checked()(`/v1/datasets/${datasetId}`, {
      method: 'PATCH',
      body: JSON.stringify({ column_labels: { day: 'Day read' } }),
      headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
    });
    expect(relabelled.status).toBe(200);
    expect(await read()).toMatchObject({ x: { name: 'Day read (month)' } });
    const svg = await (await request(`/v1/charts/${chartId}/image.svg?width=500`)).text();
    expect(svg).toContain('Day read');
  });

  it('is never stale across instances: one appends, the other shows it', async () => {
    const first = direct();
    const second = direct();
    const regions = async (request: ReturnType<typeof direct>) =>
      ((await (await request(`/v1/charts/${chartId}/data`)).json()) as Data).series.map(
        (s) => s.name,
      );
    expect(await regions(first)).not.toContain('West');
    expect(await regions(second)).not.toContain('West');
    const appended = await second(
      `/v1/datasets/${datasetId}/rows`,
      json({ rows: [{ day: '2024-03-02', region: 'West', v: 9 }] }, { Cookie: owner.cookie }),
    );
    expect(appended.status).toBe(201);
    expect(await regions(first)).toContain('West');
  });

  it('shows nothing it cached to a viewer the dataset no longer allows', async () => {
    const request = direct();
    expect((await request(`/v1/charts/${chartId}/data`)).status).toBe(200);
    const hidden = await checked()(`/v1/datasets/${datasetId}`, {
      method: 'PATCH',
      body: JSON.stringify({ visibility: 'private' }),
      headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
    });
    expect(hidden.status).toBe(200);
    expect((await request(`/v1/charts/${chartId}/data`)).status).toBe(404);
    expect((await request(`/v1/charts/${chartId}/image.svg`)).status).toBe(404);
  });

  it('works with the cache off: equal answers, computed each time', async () => {
    const request = direct({ CHART_CACHE_BYTES: '0' });
    const a = await (
      await request(`/v1/charts/${chartId}/data`, { headers: { Cookie: owner.cookie } })
    ).text();
    const b = await (
      await request(`/v1/charts/${chartId}/data`, { headers: { Cookie: owner.cookie } })
    ).text();
    expect(JSON.parse(a)).toEqual(JSON.parse(b));
  });
});
