import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, uploadCsv } from './support/datasets.ts';

const KiB = 1024;

/**
 * A CSV body that never ends: `head`, then `filler` forever. Counts what the server pulled, so
 * a test can tell it stopped reading instead of buffering the rest.
 */
function endless(head: string, filler: string) {
  const chunk = new TextEncoder().encode(filler.repeat(Math.ceil((64 * KiB) / filler.length)));
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
    },
    pull(controller) {
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

// Issue 10, item 4: every stored string is bounded, and a CSV is refused as it streams.
describe.each(testEngines)('stored text is bounded, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let lowered: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const app = createTestApp(database);
    request = contractClient(app);
    lowered = contractClient(
      createTestApp(database, {
        MAX_DATASET_NAME_LENGTH: '10',
        MAX_DESCRIPTION_LENGTH: '20',
        MAX_COLUMN_NAME_LENGTH: '8',
        MAX_COLUMN_LABEL_LENGTH: '5',
        MAX_CELL_BYTES: '16',
      }),
    );
    account = await signUp(request, 'Limits');
  });
  afterAll(() => database.close());

  const asOwner = (init: RequestInit) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), Cookie: account.cookie },
  });
  const firstError = async (response: Response) => {
    expect(response.status, await response.clone().text()).toBe(422);
    return (await readProblem(response)).errors?.[0];
  };

  it('a header name past 255 characters answers 422 naming line 1 and the column', async () => {
    const ok = await uploadCsv(request, account, `${'a'.repeat(255)},b\n1,2\n`);
    expect(ok.status, await ok.clone().text()).toBe(201);
    const response = await uploadCsv(request, account, `a,${'b'.repeat(256)}\n1,2\n`);
    expect(await firstError(response)).toMatchObject({
      loc: ['body', 1, 'Column 2'],
      type: 'too_long',
    });
  });

  it('an endless header line is refused after its first chunks, not read to its end', async () => {
    const { stream, pulled } = endless('id,', 'x');
    const response = await uploadCsv(request, account, stream);
    expect(await firstError(response)).toMatchObject({ loc: ['body', 1, 'Column 2'] });
    expect(pulled()).toBeLessThan(4 * 1024 * KiB);
  });

  it('an endless header of empty names is refused once past MAX_COLUMNS', async () => {
    const { stream, pulled } = endless('a', ',');
    const response = await uploadCsv(request, account, stream);
    expect(await firstError(response)).toMatchObject({ type: 'too_many_columns' });
    expect(pulled()).toBeLessThan(4 * 1024 * KiB);
  });

  it('a cell past 64 KiB answers 422 naming its line and column, quoted or not', async () => {
    const big = 'é'.repeat(32 * KiB + 1); // two bytes each
    for (const cell of [big, `"${big}"`, `"${'a'.repeat(40 * KiB)}\n${'b'.repeat(30 * KiB)}"`]) {
      const response = await uploadCsv(request, account, `id,note\n1,ok\n2,${cell}\n`);
      expect(await firstError(response)).toMatchObject({
        loc: ['body', 3, 'note'],
        type: 'too_long',
      });
    }
    const fits = await uploadCsv(request, account, `id,note\n1,${'a'.repeat(64 * KiB)}\n`);
    expect(fits.status, await fits.clone().text()).toBe(201);
  });

  it('an endless cell is refused after its first chunks', async () => {
    const { stream, pulled } = endless('id,note\n1,ok\n2,', 'y');
    const response = await uploadCsv(request, account, stream);
    expect(await firstError(response)).toMatchObject({ loc: ['body', 3, 'note'] });
    expect(pulled()).toBeLessThan(4 * 1024 * KiB);
  });

  it('JSON names, cells and labels past the contract limits answer 422 naming them', async () => {
    const long = await request(
      '/v1/datasets',
      asOwner(json({ name: 'n'.repeat(201), rows: [{ a: 1 }] })),
    );
    expect(await firstError(long)).toMatchObject({ loc: ['body', 'name'] });
    const column = await request(
      '/v1/datasets',
      asOwner(json({ name: 'c', columns: [{ name: 'c'.repeat(256), type: 'text' }] })),
    );
    expect(await firstError(column)).toMatchObject({ loc: ['body', 'columns', 0, 'name'] });
    const key = await request(
      '/v1/datasets',
      asOwner(json({ name: 'k', rows: [{ a: 1 }, { ['k'.repeat(256)]: 1 }] })),
    );
    expect(await firstError(key)).toMatchObject({ loc: ['body', 'rows', 1, 'k'.repeat(256)] });
    // A megabyte-long key is named in `errors` whole, and in the `detail` sentence shortened.
    const huge = await request(
      '/v1/datasets',
      asOwner(json({ name: 'k', rows: [{ ['k'.repeat(1_000_000)]: 1 }] })),
    );
    expect(huge.status).toBe(422);
    expect(((await huge.json()) as { detail: string }).detail.length).toBeLessThan(300);
    const cell = await request(
      '/v1/datasets',
      asOwner(json({ name: 'v', rows: [{ a: 'é'.repeat(32 * KiB + 1) }] })),
    );
    expect(await firstError(cell)).toMatchObject({ loc: ['body', 'rows', 0, 'a'] });
  });

  it('lowered settings apply to every kind of text, naming each', async () => {
    const csv = await uploadCsv(lowered, account, 'id\n1\n', {
      name: 'n'.repeat(11),
      description: 'd'.repeat(21),
    });
    expect(csv.status).toBe(422);
    expect((await readProblem(csv)).errors?.map((e) => e.loc)).toEqual([
      ['query', 'name'],
      ['query', 'description'],
    ]);
    const header = await uploadCsv(lowered, account, 'id,ninechars\n1,2\n');
    expect(await firstError(header)).toMatchObject({ loc: ['body', 1, 'Column 2'] });
    const cell = await uploadCsv(lowered, account, 'id,note\n1,seventeen bytes!!\n');
    expect(await firstError(cell)).toMatchObject({ loc: ['body', 2, 'note'] });
    const key = await lowered(
      '/v1/datasets',
      asOwner(json({ name: 'k', rows: [{ ninechars: 1 }] })),
    );
    expect(await firstError(key)).toMatchObject({ loc: ['body', 'rows', 0, 'ninechars'] });
    const created = await lowered('/v1/datasets', asOwner(json({ name: 'ok', rows: [{ a: 1 }] })));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as DatasetBody;
    const append = await lowered(
      `/v1/datasets/${id}/rows`,
      asOwner(json({ rows: [{ a: 'seventeen bytes!!' }] })),
    );
    expect(await firstError(append)).toMatchObject({ loc: ['body', 'rows', 0, 'a'] });
    const label = await lowered(
      `/v1/datasets/${id}`,
      asOwner({ ...json({ column_labels: { a: 'sixsix' } }), method: 'PATCH' }),
    );
    expect(await firstError(label)).toMatchObject({ loc: ['body', 'column_labels', 'a'] });
  });
});
