import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, leftovers, uploadCsv } from './support/datasets.ts';

describe.each(testEngines)('CSV import on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database, { MAX_COLUMNS: '1000' }));
    account = await signUp(request, 'Importer');
  });
  afterAll(() => database.close());

  const importCsv = async (
    csv: string | Uint8Array,
    query: Record<string, string | string[]> = {},
  ) => {
    const response = await uploadCsv(request, account, csv, query);
    return { response, body: (await response.clone().json()) as DatasetBody };
  };
  const rowsOf = async (id: string) =>
    (
      (await (
        await request(`/v1/datasets/${id}/rows?limit=10000`, {
          headers: { Cookie: account.cookie },
        })
      ).json()) as {
        rows: Record<string, unknown>[];
      }
    ).rows;

  it('reads quoted separators and line breaks, a BOM, CRLF, and semicolons', async () => {
    const csv =
      '\uFEFFname;note;n\r\n"Smith; J.";"line one\r\nline two";1\r\nLee;"say ""hi""";2\r\n';
    const { response, body } = await importCsv(csv);
    expect(response.status).toBe(201);
    expect(body.columns.map((c) => [c.name, c.type])).toEqual([
      ['name', 'text'],
      ['note', 'text'],
      ['n', 'integer'],
    ]);
    expect(await rowsOf(body.id)).toEqual([
      { name: 'Smith; J.', note: 'line one\r\nline two', n: 1 },
      { name: 'Lee', note: 'say "hi"', n: 2 },
    ]);
  });

  it('infers types from every value, keeps codes with leading zeros as text, and empty cells as null', async () => {
    const csv = [
      'zip,price,when,flag,day,mixed',
      '00501,1.5,2024-03-10 01:30:00,true,2024-02-29,1',
      '10001,,2024-03-10T02:30:00+02:00,FALSE,,x',
      ',3,,,2024-12-31,2',
    ].join('\n');
    const { response, body } = await importCsv(csv);
    expect(response.status).toBe(201);
    expect(body.columns.map((c) => c.type)).toEqual([
      'text',
      'number',
      'timestamp',
      'boolean',
      'date',
      'text',
    ]);
    expect(body.columns.map((c) => c.null_count)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(body.columns[1]).toMatchObject({ min: 1.5, max: 3 });
    expect(await rowsOf(body.id)).toEqual([
      {
        zip: '00501',
        price: 1.5,
        when: '2024-03-10T01:30:00.000Z',
        flag: true,
        day: '2024-02-29',
        mixed: '1',
      },
      {
        zip: '10001',
        price: null,
        when: '2024-03-10T00:30:00.000Z',
        flag: false,
        day: null,
        mixed: 'x',
      },
      { zip: null, price: 3, when: null, flag: null, day: '2024-12-31', mixed: '2' },
    ]);
  });

  it('refuses a NUL character in a header name, naming line 1 and the column', async () => {
    for (const csv of ['\u0000,\n', 'a\u0000,b\n1,2\n']) {
      const { response } = await importCsv(csv);
      expect(response.status).toBe(422);
      expect((await readProblem(response)).detail).toBe(
        'line 1, column "Column 1": column names may not contain NUL characters',
      );
    }
  });

  it('keeps header names exactly, numbering blanks and repeats', async () => {
    const { body } = await importCsv('Price ($),Café,,Price ($),"a,b"\n1,2,3,4,5\n');
    expect(body.columns.map((c) => c.name)).toEqual([
      'Price ($)',
      'Café',
      'Column 3',
      'Price ($) (2)',
      'a,b',
    ]);
  });

  it('lets the caller override an inferred type, and names the line where a value does not fit', async () => {
    const ok = await importCsv('id,zip\n1,10001\n2,20002\n', { type: 'zip:text' });
    expect(ok.body.columns[1]?.type).toBe('text');
    const bad = await uploadCsv(request, account, 'id,n\n1,5\n2,five\n3,6\n', {
      type: 'n:integer',
    });
    expect(bad.status).toBe(422);
    const problem = await readProblem(bad);
    expect(problem.detail).toBe('line 3, column "n": "five" is not a integer');
    expect(problem.errors?.[0]?.loc).toEqual(['body', 3, 'n']);
  });

  it.each([
    ['a ragged row', 'a,b,c\n1,2,3\n4,5\n6,7,8\n', 'line 3', 'csv_malformed'],
    ['an empty file', '', 'empty', 'csv_empty'],
    [
      'non-UTF-8 bytes',
      Buffer.concat([Buffer.from('a,b\n1,2\n3,'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]),
      'line 3',
      'invalid_utf8',
    ],
    ['an unclosed quote', 'a,b\n1,"2\n', '', 'csv_malformed'],
  ])('refuses %s with a 422 that says where', async (_, csv, where, type) => {
    const before = await leftovers(database);
    const response = await uploadCsv(request, account, csv as string);
    expect(response.status).toBe(422);
    const problem = await readProblem(response);
    expect(problem.detail).toContain(where);
    expect(problem.errors?.[0]?.type).toBe(type);
    expect(await leftovers(database)).toEqual(before);
  });

  it('accepts a header-only file as an empty dataset with text columns', async () => {
    const { response, body } = await importCsv('a,b\n');
    expect(response.status).toBe(201);
    expect(body.row_count).toBe(0);
    expect(body.columns.map((c) => c.type)).toEqual(['text', 'text']);
  });

  it('refuses 2,000 columns with a clear limit error', async () => {
    const header = Array.from({ length: 2000 }, (_, i) => `c${i}`).join(',');
    const response = await uploadCsv(request, account, `${header}\n${header}\n`);
    expect(response.status).toBe(422);
    expect((await readProblem(response)).detail).toBe(
      'line 1: the file has 2000 columns; at most 1000 are allowed',
    );
  });

  it('refuses a file over the upload limit with 413, keeping nothing', async () => {
    const small = contractClient(createTestApp(database, { UPLOAD_LIMIT_BYTES: '2048' }));
    const before = await leftovers(database);
    const response = await uploadCsv(small, account, `a,b\n${'1,2\n'.repeat(2000)}`);
    expect(response.status).toBe(413);
    expect(await leftovers(database)).toEqual(before);
  });

  it('needs a name for a CSV upload', async () => {
    const response = await request('/v1/datasets', {
      method: 'POST',
      body: 'a\n1\n',
      headers: { 'Content-Type': 'text/csv', Cookie: account.cookie },
    });
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors?.[0]?.loc).toEqual(['query', 'name']);
  });

  it('stores hostile column names and values as data, never as SQL', async () => {
    const evil = '"; drop table users; --';
    const csv = `"${evil.replaceAll('"', '""')}",x\n"${evil.replaceAll('"', '""')}",1\n`;
    const { response, body } = await importCsv(csv, { name: evil });
    expect(response.status).toBe(201);
    expect(body.columns[0]?.name).toBe(evil);
    const filter = encodeURIComponent(`${evil}:eq:${evil}`);
    const rows = await request(`/v1/datasets/${body.id}/rows?filter=${filter}`, {
      headers: { Cookie: account.cookie },
    });
    expect(((await rows.json()) as { rows: unknown[] }).rows).toEqual([{ [evil]: evil, x: 1 }]);
    const { rows: users } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(
      database.db,
    );
    expect(users[0]?.n).toBeGreaterThan(0);
  });
});

describe.each(testEngines)('import atomicity on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    account = await signUp(request, 'Atomic');
  });
  beforeEach(async () => {
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });
  afterAll(() => database.close());

  it('an import that fails at row 50,000 leaves no dataset and no table', async () => {
    const lines = ['id,value'];
    for (let i = 1; i <= 60_000; i++) lines.push(i === 50_000 ? `${i},oops` : `${i},${i * 2}`);
    const response = await uploadCsv(request, account, `${lines.join('\n')}\n`, {
      type: 'value:integer',
    });
    expect(response.status).toBe(422);
    expect((await readProblem(response)).detail).toBe(
      'line 50001, column "value": "oops" is not a integer',
    );
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });

  it('an upload whose connection is cut mid-stream leaves nothing', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('id,value\n'));
        if (sent++ < 50) controller.enqueue(new TextEncoder().encode('1,2\n'.repeat(1000)));
        else controller.error(new Error('connection reset by peer'));
      },
    });
    const response = await uploadCsv(request, account, body).catch((error: Error) => error);
    if (response instanceof Response) expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });

  it('a real HTTP upload whose client disconnects mid-stream leaves nothing', async () => {
    const server = serve({ fetch: createTestApp(database).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const upload = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/datasets?name=cut',
      headers: {
        'Content-Type': 'text/csv',
        Cookie: account.cookie,
        'Transfer-Encoding': 'chunked',
      },
    });
    upload.on('error', () => {});
    upload.write('id,value\n');
    for (let i = 0; i < 200; i++) upload.write('1,2\n'.repeat(500));
    await new Promise((resolve) => setTimeout(resolve, 300));
    upload.destroy();
    // The server notices, rolls back, and is free again: a new request gets through.
    for (let i = 0; i < 50 && (await leftovers(database)).datasets === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
    await new Promise((resolve) => server.close(resolve));
  });

  it('a create or an append without any body answers 422 naming the body, keeping nothing', async () => {
    const created = await uploadCsv(request, account, 'n\n1\n');
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as DatasetBody;
    for (const path of ['/v1/datasets', `/v1/datasets/${id}/rows`]) {
      const response = await request(path, { method: 'POST', headers: { Cookie: account.cookie } });
      expect(response.status, path).toBe(422);
      expect((await readProblem(response)).errors, path).toEqual([
        { loc: ['body'], msg: 'Field required', type: 'missing' },
      ]);
    }
    await request(`/v1/datasets/${id}`, {
      method: 'DELETE',
      headers: { Cookie: account.cookie },
    });
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });

  it('a JSON create whose rows name no column answers 422 naming `columns`, keeping nothing', async () => {
    const response = await request(
      '/v1/datasets',
      json({ name: 'Keyless', rows: [{}, {}] }, { Cookie: account.cookie }),
    );
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors?.[0]?.loc).toEqual(['body', 'columns']);
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });

  it('a JSON import with a bad value names the row and keeps nothing', async () => {
    const response = await request(
      '/v1/datasets',
      json(
        {
          name: 'J',
          columns: [{ name: 'n', type: 'integer' }],
          rows: [{ n: 1 }, { n: 2 }, { n: 'three' }],
        },
        { Cookie: account.cookie },
      ),
    );
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors?.[0]?.loc).toEqual(['body', 'rows', 2, 'n']);
    expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
  });
});
