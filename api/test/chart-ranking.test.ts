import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// Six regions: many rows of small values in the first ones, few rows of large ones in the last.
const REGIONS = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot'];
const CSV = `day,region,v\n${REGIONS.flatMap((region, r) =>
  Array.from(
    { length: 60 - r * 10 },
    (_, i) =>
      `2024-01-${String((i % 28) + 1).padStart(2, '0')},${region},${(r + 1) * 100 + (i % 7)}`,
  ),
).join('\n')}\n`;

interface Data {
  series: { name: string; points: unknown[][] }[];
}

describe.each(testEngines)('which series a chart keeps, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let datasetId: string;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Ranker');
    const response = await uploadCsv(request, owner, CSV, { visibility: 'public' });
    datasetId = ((await response.json()) as { id: string }).id;
  });
  afterAll(() => database.close());

  const names = async (spec: object) => {
    const id = await createChart(request, owner, datasetId, spec);
    const data = (await (await request(`/v1/charts/${id}/data`)).json()) as Data;
    return data.series.map((s) => s.name);
  };
  const line = {
    type: 'line',
    x: { column: 'day', bucket: 'month' },
    series: { column: 'region', max: 3 },
  };

  it('an average keeps the highest averages, not the series with the most rows', async () => {
    const kept = await names({ ...line, y: [{ column: 'v', aggregate: 'avg' }] });
    expect(kept.slice(0, 2).sort()).toEqual(['Echo', 'Foxtrot']);
    expect(kept[2]).toBe('Other (4 more)');
  });

  it('a sum keeps the largest totals', async () => {
    const kept = await names({ ...line, y: [{ column: 'v', aggregate: 'sum' }] });
    // Alpha: 60 rows of ~100 (6,180); Charlie 40 of ~300 (12,120); Delta 30 of ~400 (12,090).
    expect(kept.slice(0, 2).sort()).toEqual(['Charlie', 'Delta']);
  });

  it('highlighted series are kept whatever their size, then the largest', async () => {
    const kept = await names({
      ...line,
      y: [{ column: 'v', aggregate: 'avg' }],
      highlight: ['Alpha'],
    });
    expect(kept.slice(0, 2).sort()).toEqual(['Alpha', 'Foxtrot']);
  });
});
