import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// 100,000 rows, each its own category (as the attacker's 1.3 MB CSV), three groups, a number.
const ROWS = 100_000;
function hostileCsv(): string {
  const lines = ['cat,grp,v,t'];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < ROWS; i++) {
    const t = new Date(start + i * 60_000).toISOString();
    lines.push(`c${i},${'abc'[i % 3]},${(i * 7919) % 1000},${t}`);
  }
  return `${lines.join('\n')}\n`;
}

interface ChartData {
  series: { name: string; points: unknown[][] }[];
  other_series: number;
  other_categories: number;
  total_points: number;
  downsampled: boolean;
}

describe.each(testEngines)('chart answers stay bounded on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let datasetId: string;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    // A read cap under the dataset's size, so sampling is met without a million-row upload.
    request = contractClient(createTestApp(database, { CHART_MAX_ROWS_READ: '30000' }));
    owner = await signUp(request, 'Heavy');
    const response = await uploadCsv(request, owner, hostileCsv(), { visibility: 'public' });
    expect(response.status, await response.clone().text()).toBe(201);
    datasetId = ((await response.json()) as { id: string }).id;
  }, 120_000);
  afterAll(() => database.close());

  const chart = (spec: object) => createChart(request, owner, datasetId, spec);
  const data = async (id: string, query = '') => {
    const response = await request(`/v1/charts/${id}/data${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as ChartData;
  };

  it('a stacked bar over 100,000 categories draws the largest 499 and one "Other"', async () => {
    const id = await chart({
      type: 'bar',
      x: { column: 'cat' },
      y: [{ column: 'v', aggregate: 'sum' }],
      series: { column: 'grp' },
      bar: { mode: 'stacked' },
    });
    const answer = await data(id);
    const categories = new Set(answer.series.flatMap((s) => s.points.map((p) => p[0])));
    expect(categories.size).toBe(500);
    expect(answer.other_categories).toBe(ROWS - 499);
    expect([...categories].some((c) => String(c).startsWith('Other ('))).toBe(true);
    // Nothing lost: the folded total still adds up to the whole dataset's sum.
    let sum = 0;
    for (const s of answer.series) for (const p of s.points) sum += Number(p[1]);
    let expected = 0;
    for (let i = 0; i < ROWS; i++) expected += (i * 7919) % 1000;
    expect(sum).toBe(expected);
    const image = await request(`/v1/charts/${id}/image.svg?width=1234`);
    expect(image.status).toBe(200);
    expect((await image.text()).match(/<rect /g)?.length ?? 0).toBeLessThan(1600);
  });

  it('a raw line split by 100,000 series values answers 20 series and a bounded count of points', async () => {
    const id = await chart({
      type: 'line',
      x: { column: 't' },
      y: [{ column: 'v', aggregate: 'none' }],
      series: { column: 'cat', max: 20 },
    });
    const answer = await data(id, '?max_points=10');
    expect(answer.series).toHaveLength(20);
    expect(answer.other_series).toBe(ROWS - 19);
    const points = answer.series.reduce((n, s) => n + s.points.length, 0);
    expect(points).toBeLessThanOrEqual(2 * 20);
    expect(answer.downsampled).toBe(true);
    // Many points through the renderer (once a stack overflow in Math.min(...)).
    const image = await request(`/v1/charts/${id}/image.svg?width=4000`);
    expect(image.status).toBe(200);
  });

  it('an average per 100,000 series folds the rest into an Other averaged over their rows', async () => {
    const id = await chart({
      type: 'line',
      x: { column: 'grp' },
      y: [{ column: 'v', aggregate: 'avg' }],
      series: { column: 'cat' },
    });
    const answer = await data(id);
    // 12 when the spec does not say: what the palette keeps apart, "Other" among them.
    expect(answer.series).toHaveLength(12);
    const other = answer.series.at(-1) as ChartData['series'][number];
    expect(other.name).toBe(`Other (${(ROWS - 11).toLocaleString('en')} more)`);
    expect(answer.other_series).toBe(ROWS - 11);
    // Not an average of averages: the average of every folded row, per x.
    const kept = new Set(answer.series.slice(0, -1).map((s) => s.name));
    const sums = new Map<string, { sum: number; n: number }>();
    for (let i = 0; i < ROWS; i++) {
      if (kept.has(`c${i}`)) continue;
      const group = 'abc'[i % 3] as string;
      const total = sums.get(group) ?? { sum: 0, n: 0 };
      total.sum += (i * 7919) % 1000;
      total.n += 1;
      sums.set(group, total);
    }
    for (const [x, y] of other.points) {
      const total = sums.get(String(x)) as { sum: number; n: number };
      expect(Number(y)).toBeCloseTo(total.sum / total.n, 6);
    }
  });

  it('series.max above the server cap draws the cap (CHART_MAX_SERIES)', async () => {
    const id = await chart({
      type: 'bar',
      x: { column: 'grp' },
      y: [{ aggregate: 'count' }],
      series: { column: 'cat', max: 200 },
    });
    const answer = await data(id);
    expect(answer.series).toHaveLength(20);
    expect(answer.series.at(-1)?.name).toBe(`Other (${(ROWS - 19).toLocaleString('en')} more)`);
    // The folded counts still add up to every row.
    const total = answer.series.flatMap((s) => s.points).reduce((n, p) => n + Number(p[1]), 0);
    expect(total).toBe(ROWS);
  });

  it('a raw line over more rows than the read cap keeps its whole x range, sampled evenly', async () => {
    const id = await chart({
      type: 'line',
      x: { column: 't' },
      y: [{ column: 'v', aggregate: 'none' }],
      series: { column: 'grp' },
    });
    const answer = await data(id, '?max_points=300');
    expect(answer.total_points).toBe(ROWS);
    const xs = answer.series.flatMap((s) => s.points.map((p) => String(p[0]))).sort();
    // The first and the last minute of the data are both drawn, not a prefix of it.
    expect(xs[0]).toBe('2020-01-01T00:00:00.000Z');
    expect(xs.at(-1)).toBe(new Date(Date.UTC(2020, 0, 1) + (ROWS - 1) * 60_000).toISOString());
    expect(answer.downsampled).toBe(true);
  });

  it('a column named like an Object.prototype property can be a series', async () => {
    const csv = 'constructor,toString,n\nvalueOf,a,1\nhasOwnProperty,b,2\n__proto__,a,3\n';
    const response = await uploadCsv(request, owner, csv, { visibility: 'public' });
    expect(response.status, await response.clone().text()).toBe(201);
    const small = ((await response.json()) as { id: string }).id;
    const id = await createChart(request, owner, small, {
      type: 'bar',
      x: { column: 'constructor' },
      y: [{ column: 'n', aggregate: 'sum' }],
      series: { column: 'toString' },
    });
    const answer = await data(id);
    expect(answer.series.map((s) => s.name).sort()).toEqual(['a', 'b']);
  });
});
