import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { createChart } from './support/charts.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

const CSV = 'day,city,temp\n2024-01-01,Paris,3\n2024-01-02,Lyon,5\n2024-02-01,Paris,7\n';
const SPEC = {
  type: 'line',
  x: { column: 'day', bucket: 'month' },
  y: [{ column: 'temp', aggregate: 'avg' }],
  series: { column: 'city' },
};

// A builder previews every change without saving: opening it used to leave an "Untitled
// chart" behind each time.
describe.each(testEngines)('chart previews on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let other: Account;
  let publicId: string;
  let privateId: string;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Previewer');
    other = await signUp(request, 'Other');
    const shared = await uploadCsv(request, owner, CSV, { visibility: 'public' });
    publicId = ((await shared.json()) as { id: string }).id;
    const mine = await uploadCsv(request, owner, CSV);
    privateId = ((await mine.json()) as { id: string }).id;
  });
  afterAll(() => database.close());

  const preview = (body: object, account?: Account, query = '') =>
    request(`/v1/charts/preview${query}`, json(body, account ? { Cookie: account.cookie } : {}));

  it('answers what the saved chart’s /data would, and stores nothing', async () => {
    const before = await request('/v1/charts?mine=true', { headers: { Cookie: owner.cookie } });
    const count = ((await before.json()) as { items: unknown[] }).items.length;
    const answer = await preview({ dataset_id: publicId, spec: SPEC }, owner);
    expect(answer.status, await answer.clone().text()).toBe(200);
    const drawn = (await answer.json()) as Record<string, unknown>;
    expect(drawn).not.toHaveProperty('chart_id');
    const after = await request('/v1/charts?mine=true', { headers: { Cookie: owner.cookie } });
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(count);
    const id = await createChart(request, owner, publicId, SPEC);
    const saved = (await (await request(`/v1/charts/${id}/data`)).json()) as Record<
      string,
      unknown
    >;
    const { chart_id: _, ...rest } = saved;
    expect(drawn).toEqual(rest);
  });

  it('is open to anyone who can read the dataset, and to no one else', async () => {
    expect((await preview({ dataset_id: publicId, spec: SPEC })).status).toBe(200);
    const refused = await preview({ dataset_id: privateId, spec: SPEC }, other);
    expect(refused.status).toBe(422);
    expect((await readProblem(refused)).errors?.[0]?.loc).toEqual(['body', 'dataset_id']);
    expect((await preview({ dataset_id: privateId, spec: SPEC }, owner)).status).toBe(200);
  });

  it('checks the definition as a save would, naming the field', async () => {
    const bad = await preview(
      { dataset_id: publicId, spec: { ...SPEC, y: [{ column: 'city', aggregate: 'sum' }] } },
      owner,
    );
    expect(bad.status).toBe(422);
    const problem = await readProblem(bad);
    expect(problem.errors?.[0]?.loc).toEqual(['body', 'spec', 'y', 0, 'column']);
    expect(problem.errors?.[0]?.msg).toMatch(/sum needs a number column/);
  });
});
