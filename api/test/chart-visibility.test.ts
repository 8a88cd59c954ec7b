import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

type Visibility = 'private' | 'unlisted' | 'public';
const VISIBILITIES: Visibility[] = ['private', 'unlisted', 'public'];
const CSV = 'day,city,temp\n2024-01-01,Paris,3\n2024-01-02,Lyon,5\n';
const rank = (v: Visibility) => VISIBILITIES.indexOf(v);

/**
 * The rule, written out independently of the code: a chart never shows more than its dataset's
 * visibility allows, and on someone else's private dataset it shows nobody anything.
 */
function expected(
  viewer: 'chart owner' | 'dataset owner' | 'stranger' | 'anonymous',
  sameOwner: boolean,
  chart: Visibility,
  dataset: Visibility,
): { chart: boolean; data: boolean; listed: boolean } {
  const effective = rank(dataset) < rank(chart) ? dataset : chart;
  const alive = sameOwner || dataset !== 'private';
  const isChartOwner = viewer === 'chart owner' || (sameOwner && viewer === 'dataset owner');
  const data = alive && (isChartOwner || effective !== 'private');
  return {
    chart: isChartOwner || data,
    data,
    listed: isChartOwner || (chart === 'public' && dataset === 'public'),
  };
}

describe.each(testEngines)('chart visibility follows its dataset on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let alice: Account;
  let bob: Account;
  let carol: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    [alice, bob, carol] = [
      await signUp(request, 'Alice'),
      await signUp(request, 'Bob'),
      await signUp(request, 'Carol'),
    ];
  });
  afterAll(() => database.close());

  const as = (who: Account | null): Record<string, string> => (who ? { Cookie: who.cookie } : {});
  const setVisibility = async (path: string, who: Account, visibility: Visibility) => {
    const response = await request(path, {
      ...json({ visibility }, as(who)),
      method: 'PATCH',
    });
    expect(response.status, await response.clone().text()).toBe(200);
  };
  const listedIds = async (who: Account | null) => {
    const response = await request('/v1/charts?limit=100', { headers: as(who) });
    return ((await response.json()) as { items: { id: string }[] }).items.map((c) => c.id);
  };

  const cases = VISIBILITIES.flatMap((chart) =>
    VISIBILITIES.flatMap((dataset) => [true, false].map((same) => [chart, dataset, same] as const)),
  );
  it.each(cases)(
    'a %s chart on a %s dataset (same owner: %s), set after the chart was made',
    async (chartVisibility, datasetVisibility, sameOwner) => {
      // Both start public, so the chart can be made; then each owner narrows their own.
      const created = await uploadCsv(request, alice, CSV, { visibility: 'public' });
      const datasetId = ((await created.json()) as { id: string }).id;
      const chartOwner = sameOwner ? alice : bob;
      const chartId = await createChart(request, chartOwner, datasetId, {
        type: 'bar',
        x: { column: 'city' },
        y: [{ column: 'temp', aggregate: 'sum' }],
      });
      await setVisibility(`/v1/charts/${chartId}`, chartOwner, chartVisibility);
      await setVisibility(`/v1/datasets/${datasetId}`, alice, datasetVisibility);
      // Rows added after the change must not show through either.
      const appended = await request(`/v1/datasets/${datasetId}/rows`, {
        ...json({ rows: [{ day: '2024-01-03', city: 'Nice', temp: 9 }] }, as(alice)),
      });
      expect(appended.status, await appended.clone().text()).toBeLessThan(300);

      const viewers = [
        ['chart owner', chartOwner],
        ['dataset owner', alice],
        ['stranger', carol],
        ['anonymous', null],
      ] as const;
      for (const [role, who] of viewers) {
        if (!sameOwner && role === 'dataset owner' && who === chartOwner) continue;
        const want = expected(role, sameOwner, chartVisibility, datasetVisibility);
        const label = `${role} sees`;
        const chart = await request(`/v1/charts/${chartId}`, { headers: as(who) });
        expect(chart.status, `${label} the chart`).toBe(want.chart ? 200 : 404);
        for (const path of ['data', 'image.svg']) {
          const answer = await request(`/v1/charts/${chartId}/${path}`, { headers: as(who) });
          expect(answer.status, `${label} ${path}`).toBe(want.data ? 200 : 404);
          if (!want.data) expect(await answer.text()).not.toContain('Nice');
        }
        expect((await listedIds(who)).includes(chartId), `${label} it in the list`).toBe(
          want.listed,
        );
      }
    },
  );

  it('a shared chart says public caching only while its dataset is shared too', async () => {
    const created = await uploadCsv(request, alice, CSV, { visibility: 'public' });
    const datasetId = ((await created.json()) as { id: string }).id;
    const chartId = await createChart(request, alice, datasetId, {
      type: 'bar',
      x: { column: 'city' },
      y: [{ aggregate: 'count' }],
    });
    const before = await request(`/v1/charts/${chartId}/data`);
    // Kept by a CDN but checked on every use: never served after the dataset goes private.
    expect(before.headers.get('cache-control')).toBe('public, no-cache');
    await setVisibility(`/v1/datasets/${datasetId}`, alice, 'private');
    const refused = await request(`/v1/charts/${chartId}/data`, {
      headers: { 'If-None-Match': before.headers.get('etag') as string },
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const mine = await request(`/v1/charts/${chartId}/data`, { headers: as(alice) });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toMatch(/^private/);
  });
});
