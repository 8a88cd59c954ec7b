import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

const CSV = 'day,rain\n2024-01-01,3\n2024-01-02,5\n';

describe.each(testEngines)('deleting a dataset that charts use, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let other: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Owner');
    other = await signUp(request, 'Other');
  });
  afterAll(() => database.close());

  const dataset = async () => {
    const response = await uploadCsv(request, owner, CSV, { visibility: 'public' });
    return ((await response.json()) as { id: string }).id;
  };
  const chart = async (datasetId: string, title: string, who: Account, visibility = 'private') => {
    const spec = { type: 'bar', x: { column: 'day' }, y: [{ column: 'rain', aggregate: 'sum' }] };
    const response = await request(
      '/v1/charts',
      json({ dataset_id: datasetId, title, spec, visibility }, { Cookie: who.cookie }),
    );
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const remove = (id: string, query = '') =>
    request(`/v1/datasets/${id}${query}`, { method: 'DELETE', headers: { Cookie: owner.cookie } });

  it('is kept with a 409 naming the owner’s charts and counting other people’s', async () => {
    const id = await dataset();
    await chart(id, 'Rain in January', owner);
    await chart(id, 'Someone else’s secret title', other);
    const refused = await remove(id);
    expect(refused.status).toBe(409);
    const problem = await readProblem(refused);
    expect(problem.detail).toContain('2 charts are drawn from this dataset');
    expect(problem.detail).toContain('“Rain in January”');
    expect(problem.detail).toContain('1 by other people');
    expect(problem.detail).not.toContain('secret');
    expect(problem.detail).toContain('charts=delete');
    expect((await request(`/v1/datasets/${id}`)).status).toBe(200);
  });

  it('lists the charts drawn from it that the caller may see, by dataset_id', async () => {
    const id = await dataset();
    const mine = await chart(id, 'Mine', owner);
    const shared = await chart(id, 'Shared', other, 'public');
    await chart(id, 'Hidden', other);
    const listed = await request(`/v1/charts?dataset_id=${id}`, {
      headers: { Cookie: owner.cookie },
    });
    expect(listed.status).toBe(200);
    const ids = ((await listed.json()) as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids.sort()).toEqual([mine, shared].sort());
  });

  it('goes with its charts when asked with charts=delete, and at once when none use it', async () => {
    const id = await dataset();
    const mine = await chart(id, 'Mine', owner);
    const theirs = await chart(id, 'Theirs', other, 'public');
    expect((await remove(id, '?charts=delete')).status).toBe(204);
    expect(
      (await request(`/v1/datasets/${id}`, { headers: { Cookie: owner.cookie } })).status,
    ).toBe(404);
    for (const gone of [mine, theirs]) {
      expect(
        (await request(`/v1/charts/${gone}`, { headers: { Cookie: owner.cookie } })).status,
      ).toBe(404);
    }
    const unused = await dataset();
    expect((await remove(unused)).status).toBe(204);
  });
});
