import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// Enough rows that a chart answer is still being computed when the next request arrives.
function csv(): string {
  const lines = ['day,region,v'];
  for (let i = 0; i < 20_000; i++) lines.push(`2024-01-${(i % 28) + 1},r${i % 7},${i % 97}`);
  return `${lines.join('\n')}\n`;
}

describe('heavy reads share a few slots', () => {
  let database: TestDatabase;
  let chartId: string;
  let owner: Account;
  const app = (env: Record<string, string>) => contractClient(createTestApp(database, env));
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    const request = app({});
    owner = await signUp(request, 'Heavy');
    const response = await uploadCsv(request, owner, csv(), { visibility: 'public' });
    expect(response.status).toBe(201);
    const datasetId = ((await response.json()) as { id: string }).id;
    chartId = await createChart(request, owner, datasetId, {
      type: 'line',
      x: { column: 'day' },
      y: [{ column: 'v', aggregate: 'median' }],
      series: { column: 'region' },
    });
  }, 60_000);
  afterAll(() => database.close());

  it('one caller past its share answers 429 with Retry-After, and its slots come back', async () => {
    const request = app({ HEAVY_READS_PER_CALLER: '1', HEAVY_READS_CONCURRENCY: '10' });
    const answers = await Promise.all(
      [1, 2, 3].map((n) => request(`/v1/charts/${chartId}/data?max_points=${n + 100}`)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    const refused = answers.find((r) => r.status === 429) as Response;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/wait for one to finish/);
    // Released: the next one runs.
    expect((await request(`/v1/charts/${chartId}/data`)).status).toBe(200);
  });

  it('a full server answers 503 with Retry-After to another caller, never to /health', async () => {
    const request = app({
      TRUST_PROXY: 'true',
      HEAVY_READS_PER_CALLER: '10',
      HEAVY_READS_CONCURRENCY: '1',
      HEAVY_READS_WAIT_MS: '0',
    });
    const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });
    const [first, second, health] = await Promise.all([
      request(`/v1/charts/${chartId}/data`, from('192.0.2.1')),
      request(`/v1/charts/${chartId}/data?max_points=99`, from('192.0.2.2')),
      request('/health', from('192.0.2.3')),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 503]);
    const busy = first.status === 503 ? first : second;
    expect(busy.headers.get('retry-after')).toBe('2');
    expect(((await busy.json()) as { detail: string }).detail).toMatch(/busy/);
    expect(health.status).toBe(200);
  });

  it('a waiting request gets the slot when it frees', async () => {
    const request = app({ HEAVY_READS_CONCURRENCY: '1', HEAVY_READS_WAIT_MS: '60000' });
    const answers = await Promise.all(
      [1, 2, 3].map((n) => request(`/v1/charts/${chartId}/data?max_points=${n + 200}`)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
  });
});
