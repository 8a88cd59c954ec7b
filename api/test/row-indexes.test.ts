import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

const CITIES = ['Paris', 'Lyon', 'Nice'];
const CSV = `id,v,day,city\n${Array.from(
  { length: 400 },
  (_, i) =>
    `${i + 1},${i % 9 === 0 ? '' : (i * 37) % 101},2024-01-${String((i % 28) + 1).padStart(2, '0')},${CITIES[i % 3]}`,
).join('\n')}\n`;

type Page = { rows: { id: number }[]; next_cursor: string | null };

// Issue 13: a large dataset's pages stay O(limit): the first sort or filter by a column builds
// the index that later pages of it use, in the background, once.
describe.each(testEngines)('indexes built on demand, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let datasetId: string;
  let table: string;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    // Every dataset counts as large here.
    request = contractClient(createTestApp(database, { ROW_INDEX_MIN_ROWS: '10' }));
    owner = await signUp(request, 'Indexer');
    const response = await uploadCsv(request, owner, CSV);
    datasetId = ((await response.json()) as { id: string }).id;
    const row = await database.db
      .selectFrom('datasets')
      .select('table_name')
      .where('id', '=', datasetId)
      .executeTakeFirstOrThrow();
    table = row.table_name;
  });
  afterAll(() => database.close());

  const indexes = async () =>
    (
      await sql<{
        indexname: string;
      }>`select indexname from pg_indexes where tablename = ${table}`.execute(database.db)
    ).rows
      .map((r) => r.indexname)
      .filter((name) => !name.endsWith('_pkey'))
      .sort();
  const until = async (want: string[]) => {
    for (let i = 0; i < 100 && (await indexes()).join() !== want.join(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return indexes();
  };
  const ids = async (query: string) => {
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const response = await request(
        `/v1/datasets/${datasetId}/rows?${query}${cursor ? `&cursor=${cursor}` : ''}`,
        { headers: { Cookie: owner.cookie } },
      );
      expect(response.status).toBe(200);
      const page = (await response.json()) as Page;
      all.push(...page.rows.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    return all;
  };

  it('a sort by a number builds the index in its direction; pages are the same with it', async () => {
    expect(await indexes()).toEqual([]);
    const before = await ids('sort=-v&limit=70&select=id');
    expect(await until([`${table}_c2_desc`])).toEqual([`${table}_c2_desc`]);
    expect(await ids('sort=-v&limit=70&select=id')).toEqual(before);
    expect(before).toHaveLength(400);
  });

  it('an equality filter on text builds a hash index; a sort by text builds none', async () => {
    const paris = await ids('filter=city:eq:Paris&limit=50&select=id');
    expect(paris).toHaveLength(134);
    await ids('sort=city&limit=500&select=id');
    const built = await until([`${table}_c2_desc`, `${table}_c4_eq`]);
    expect(built).toEqual([`${table}_c2_desc`, `${table}_c4_eq`]);
    expect(await ids('filter=city:eq:Paris&limit=50&select=id')).toEqual(paris);
  });

  it('a range filter on a date builds an ascending index; appends still land and show', async () => {
    await ids('filter=day:gte:2024-01-20&limit=100&select=id');
    await until([`${table}_c2_desc`, `${table}_c3_asc`, `${table}_c4_eq`]);
    const appended = await request(
      `/v1/datasets/${datasetId}/rows`,
      json(
        { rows: [{ id: 401, v: 1000, day: '2024-01-31', city: 'Paris' }] },
        { Cookie: owner.cookie },
      ),
    );
    expect(appended.status).toBe(201);
    expect((await ids('sort=-v&limit=3&select=id'))[0]).toBe(401);
    expect(await ids('filter=day:gte:2024-01-31&select=id')).toContain(401);
  });

  it('leaves small datasets alone', async () => {
    const plain = contractClient(createTestApp(database));
    const response = await uploadCsv(plain, owner, CSV);
    const id = ((await response.json()) as { id: string }).id;
    const answer = await plain(`/v1/datasets/${id}/rows?sort=-v`, {
      headers: { Cookie: owner.cookie },
    });
    expect(answer.status).toBe(200);
    const { table_name: other } = await database.db
      .selectFrom('datasets')
      .select('table_name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_indexes where tablename = ${other}`.execute(database.db);
    expect(rows[0]?.n).toBe(1);
  });
});
