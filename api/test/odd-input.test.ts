import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, uploadCsv } from './support/datasets.ts';

/** Names every plain object answers to: a lookup by column name must not find them. */
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__proto__',
];

// Issue 10, item 6: odd but plausible input that used to answer 500.
describe.each(testEngines)('odd input never answers 500, on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database, { MAX_COLUMNS: '1000' }));
    account = await signUp(request, 'Odd');
  });
  afterAll(() => database.close());

  const asOwner = (init: RequestInit = {}) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), Cookie: account.cookie },
  });
  const createJson = async (body: unknown) => {
    const response = await request('/v1/datasets', asOwner(json(body)));
    return { response, body: (await response.clone().json()) as DatasetBody };
  };
  const rows = (id: string, query: string) =>
    request(`/v1/datasets/${id}/rows?${query}`, asOwner());
  const expect422At = async (response: Response, loc: (string | number)[]) => {
    expect(response.status, await response.clone().text()).toBe(422);
    const problem = await readProblem(response);
    expect(problem.errors?.map((e) => e.loc)).toContainEqual(loc);
    return problem;
  };

  describe('column names that are Object.prototype properties', () => {
    it('a CSV header of them imports, reads, filters, sorts and aggregates', async () => {
      const csv = `${PROTOTYPE_NAMES.join(',')}\n1,2,3,4,5,6\n7,8,9,10,11,12\n`;
      const response = await uploadCsv(request, account, csv);
      expect(response.status, await response.clone().text()).toBe(201);
      const dataset = (await response.json()) as DatasetBody;
      expect(dataset.columns.map((c) => [c.name, c.type])).toEqual(
        PROTOTYPE_NAMES.map((name) => [name, 'integer']),
      );
      const read = await rows(dataset.id, 'filter=__proto__:gt:6&sort=-constructor');
      expect(read.status, await read.clone().text()).toBe(200);
      const text = await read.text();
      // Parsed as JSON text, `__proto__` is an own key like any other.
      const body = JSON.parse(text) as { rows: Record<string, number>[] };
      expect(body.rows).toHaveLength(1);
      expect(Object.keys(body.rows[0] as object)).toEqual(PROTOTYPE_NAMES);
      expect(Object.values(body.rows[0] as object)).toEqual([7, 8, 9, 10, 11, 12]);
      const query = await request(
        `/v1/datasets/${dataset.id}/query`,
        asOwner(
          json({ group_by: [{ column: 'toString' }], metrics: [{ op: 'sum', column: 'valueOf' }] }),
        ),
      );
      expect(query.status, await query.clone().text()).toBe(200);
    });

    it('CSV type overrides naming them apply, and others are not found on the prototype', async () => {
      const csv = 'toString,valueOf\n1,2\n';
      const response = await uploadCsv(request, account, csv, { type: 'valueOf:text' });
      expect(response.status, await response.clone().text()).toBe(201);
      const dataset = (await response.json()) as DatasetBody;
      expect(dataset.columns.map((c) => c.type)).toEqual(['integer', 'text']);
    });

    it('JSON rows keyed by them, with or without declared columns, import as written', async () => {
      const inferred = await createJson({
        name: 'Prototype keys',
        rows: [Object.fromEntries(PROTOTYPE_NAMES.map((name, i) => [name, i]))],
      });
      expect(inferred.response.status, await inferred.response.clone().text()).toBe(201);
      expect(inferred.body.columns.map((c) => c.name)).toEqual(PROTOTYPE_NAMES);
      // A raw body, so that `__proto__` really is a key of the JSON text.
      const declared = await request(
        '/v1/datasets',
        asOwner({
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"name":"Declared","columns":[{"name":"__proto__","type":"integer"},{"name":"constructor","type":"text"}],"rows":[{"__proto__":5},{}]}',
        }),
      );
      expect(declared.status, await declared.clone().text()).toBe(201);
      const dataset = (await declared.json()) as DatasetBody;
      const read = JSON.parse(await (await rows(dataset.id, '')).text());
      expect(read.rows).toEqual([
        JSON.parse('{"__proto__":5,"constructor":null}'),
        JSON.parse('{"__proto__":null,"constructor":null}'),
      ]);
    });

    it('an object or array under `__proto__` is refused like under any other key', async () => {
      // zod never sees a `__proto__` value; it was stored as the text "[object Object]".
      for (const value of ['{"x":1}', '[1,2]']) {
        const answer = await request(
          '/v1/datasets',
          asOwner({
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: `{"name":"p","rows":[{"__proto__":${value},"a":1}]}`,
          }),
        );
        expect(answer.status, value).toBe(422);
        expect(await answer.text()).toMatch(/must be a string, a number, a boolean or null/);
      }
    });

    it('labels set on them by name stick; one naming no column is refused', async () => {
      const created = await createJson({ name: 'Labels', rows: [{ constructor: 1, other: 2 }] });
      const patch = (body: string) =>
        request(
          `/v1/datasets/${created.body.id}`,
          asOwner({ method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body }),
        );
      const labelled = await patch('{"column_labels":{"constructor":"Builder"}}');
      expect(labelled.status, await labelled.clone().text()).toBe(200);
      expect(((await labelled.json()) as { columns: { label: string }[] }).columns[0]?.label).toBe(
        'Builder',
      );
      await expect422At(await patch('{"column_labels":{"toString":"nope"}}'), [
        'body',
        'column_labels',
        'toString',
      ]);
    });
  });

  it('555 and 1000 numeric columns import; 1001 answers 422', async () => {
    for (const width of [555, 1000]) {
      const header = Array.from({ length: width }, (_, i) => `n${i}`).join(',');
      const line = Array.from({ length: width }, (_, i) => i).join(',');
      const response = await uploadCsv(request, account, `${header}\n${line}\n${line}\n`);
      expect(response.status, await response.clone().text()).toBe(201);
      const dataset = (await response.json()) as DatasetBody;
      expect(dataset.columns.at(-1)).toMatchObject({ min: width - 1, max: width - 1 });
      const appended = await request(
        `/v1/datasets/${dataset.id}/rows`,
        asOwner({
          method: 'POST',
          headers: { 'Content-Type': 'text/csv' },
          body: `${header}\n${line}\n`,
        }),
      );
      expect(appended.status, await appended.clone().text()).toBe(201);
      const sorted = await rows(
        dataset.id,
        `limit=1&${Array.from({ length: 10 }, (_, i) => `sort=n${i}`).join('&')}`,
      );
      expect(sorted.status).toBe(200);
    }
    const header = Array.from({ length: 1001 }, (_, i) => `n${i}`).join(',');
    const response = await uploadCsv(request, account, `${header}\n`);
    expect(response.status).toBe(422);
  }, 60_000);

  describe('numbers beyond what a double holds', () => {
    let id: string;
    beforeAll(async () => {
      const created = await createJson({
        name: 'Numbers',
        columns: [
          { name: 'x', type: 'number' },
          { name: 'at', type: 'timestamp' },
        ],
        rows: [{ x: 1.5, at: '2024-01-01T00:00:00Z' }],
      });
      expect(created.response.status).toBe(201);
      id = created.body.id;
    });

    it.each(['1e-400', '4.9e-325', '1e400', '-1e400', `0.${'0'.repeat(400)}1`])(
      '%s in a row filter, an aggregate filter and appended rows answers 422 naming it',
      async (value) => {
        await expect422At(await rows(id, `filter=${encodeURIComponent(`x:gt:${value}`)}`), [
          'query',
          'filter',
          0,
          'value',
        ]);
        const aggregate = await request(
          `/v1/datasets/${id}/query`,
          asOwner(
            json({ metrics: [{ op: 'count' }], filters: [{ column: 'x', op: 'eq', value }] }),
          ),
        );
        await expect422At(aggregate, ['body', 'filters', 0, 'value']);
        const appended = await request(
          `/v1/datasets/${id}/rows`,
          asOwner(json({ rows: [{ x: value }] })),
        );
        expect(appended.status).toBe(422);
        expect((await readProblem(appended)).errors?.[0]).toMatchObject({
          loc: ['body', 'rows', 0, 'x'],
        });
        const csv = await request(
          `/v1/datasets/${id}/rows`,
          asOwner({
            method: 'POST',
            headers: { 'Content-Type': 'text/csv' },
            body: `x\n1\n${value}\n`,
          }),
        );
        expect(csv.status).toBe(422);
        expect((await readProblem(csv)).errors?.[0]).toMatchObject({ loc: ['body', 3, 'x'] });
      },
    );

    // Issue 14: JSON.parse changes these without a word (to 0, Infinity, or another integer).
    it.each([
      ['9007199254740993', 'more digits'],
      ['-12345678901234567891', 'more digits'],
      ['1e-400', 'become 0'],
      ['1e400', 'too large'],
    ])('%s written as a JSON number answers 422 naming the cell', async (literal, words) => {
      for (const path of ['/v1/datasets', `/v1/datasets/${id}/rows`]) {
        const response = await request(
          path,
          asOwner({
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: `{"name":"Exact","rows":[{"x":1},{"x":${literal}}]}`,
          }),
        );
        expect(response.status).toBe(422);
        const problem = await readProblem(response);
        expect(problem.errors?.[0]).toMatchObject({ loc: ['body', 'rows', 1, 'x'] });
        expect(problem.errors?.[0]?.msg).toContain(words);
      }
    });

    it('numbers a double holds exactly are kept, however they are written', async () => {
      const created = await request(
        '/v1/datasets',
        asOwner({
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"name":"Exact","rows":[{"n":100000000000000000000,"m":9007199254740992,"i":"9007199254740993"}]}',
        }),
      );
      expect(created.status, await created.clone().text()).toBe(201);
      const body = (await created.json()) as DatasetBody;
      expect(body.columns.map((c) => [c.name, c.type])).toEqual([
        ['n', 'number'],
        ['m', 'integer'],
        ['i', 'integer'],
      ]);
      // Read back exactly: an integer a JSON number cannot hold comes as its digits.
      const page = await rows(body.id, '');
      expect(page.status).toBe(200);
      expect(((await page.json()) as { rows: unknown[] }).rows).toEqual([
        { n: 1e20, m: 9007199254740992, i: '9007199254740993' },
      ]);
    });

    it('denormal doubles are stored as they are', async () => {
      const response = await uploadCsv(request, account, 'x\n4.9e-324\n-5e-324\n');
      expect(response.status, await response.clone().text()).toBe(201);
      expect(((await response.json()) as DatasetBody).columns[0]).toMatchObject({
        type: 'number',
        min: -5e-324,
        max: 5e-324,
      });
    });

    it('a CSV column holding an underflowing number is text, and 422 names the cell when declared a number', async () => {
      const inferred = await uploadCsv(request, account, 'x\n1\n1e-400\n');
      expect(inferred.status, await inferred.clone().text()).toBe(201);
      expect(((await inferred.json()) as DatasetBody).columns[0]?.type).toBe('text');
      const declared = await uploadCsv(request, account, 'x\n1\n1e-400\n', { type: 'x:number' });
      expect(declared.status).toBe(422);
      expect((await readProblem(declared)).errors?.[0]).toMatchObject({ loc: ['body', 3, 'x'] });
    });

    it.each(['+99:99', '+24:00', '-16:00', '+05:60'])(
      'a timestamp offset %s answers 422 in filters and as a declared cell; inferred, it is text',
      async (offset) => {
        const at = `2024-01-01T00:00:00${offset}`;
        await expect422At(await rows(id, `filter=${encodeURIComponent(`at:gte:${at}`)}`), [
          'query',
          'filter',
          0,
          'value',
        ]);
        const declared = await uploadCsv(request, account, `at\n${at}\n`, { type: 'at:timestamp' });
        expect(declared.status).toBe(422);
        const inferred = await uploadCsv(request, account, `at\n2024-01-01T00:00:00Z\n${at}\n`);
        expect(((await inferred.json()) as DatasetBody).columns[0]?.type).toBe('text');
      },
    );

    it('the widest offsets PostgreSQL takes still work', async () => {
      const response = await uploadCsv(
        request,
        account,
        'at\n2024-01-01T00:00:00+15:59\n2024-01-01T00:00:00-15:59\n',
      );
      expect(response.status, await response.clone().text()).toBe(201);
      expect(((await response.json()) as DatasetBody).columns[0]?.type).toBe('timestamp');
    });

    it('tampered row cursors answer 422 naming cursor', async () => {
      const page = await rows(id, 'sort=x&sort=at&limit=1');
      expect(page.status).toBe(200);
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const cursor of [
        encode([['abc', '2024-01-01'], '1']),
        encode([['1.5', 'yesterday'], '1']),
        encode([['1e-400', null], '1']),
        encode([['1', '2024-01-01T00:00+99:99'], '1']),
        encode([['1', null], '99999999999999999999']),
        'not-base64!',
      ]) {
        await expect422At(await rows(id, `sort=x&sort=at&cursor=${cursor}`), ['query', 'cursor']);
      }
    });
  });

  it('tampered list cursors answer 422 naming cursor', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      encode(['1', '00000000-0000-0000-0000-000000000000']),
      encode(['2024-01-01T00:00:00.000Z', '------------------------------------']),
      encode(['+275760-09-13T00:00:00.000Z', '00000000-0000-0000-0000-000000000000']),
    ]) {
      await expect422At(await request(`/v1/datasets?cursor=${cursor}`), ['query', 'cursor']);
    }
  });

  describe('JSON the database cannot store', () => {
    const raw = (body: string) =>
      request(
        '/v1/datasets',
        asOwner({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body }),
      );

    it('a lone surrogate as a key or a value answers 422 naming where', async () => {
      await expect422At(await raw('{"name":"S","rows":[{"\\ud800":1}]}'), [
        'body',
        'rows',
        0,
        '\ud800',
      ]);
      await expect422At(await raw('{"name":"S","rows":[{"a":"x\\udc00"}]}'), [
        'body',
        'rows',
        0,
        'a',
      ]);
    });

    it('a body nested deeper than 64 levels answers 422', async () => {
      for (const depth of [65, 100_000]) {
        const body = `{"name":"D","rows":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
        const response = await raw(body);
        expect(response.status, await response.clone().text()).toBe(422);
        expect((await readProblem(response)).errors?.[0]?.type).toBe('too_deep');
      }
    });
  });

  describe('values near the largest double', () => {
    it('draw as a histogram and an image, and an average that overflows says so in words', async () => {
      const csv = 'k,v\na,1e308\nb,-1e308\nc,1.7976931348623157e308\n';
      const upload = await uploadCsv(request, account, csv, { visibility: 'public' });
      expect(upload.status, await upload.clone().text()).toBe(201);
      const datasetId = ((await upload.json()) as DatasetBody).id;
      const chart = await request(
        '/v1/charts',
        asOwner(
          json({
            dataset_id: datasetId,
            title: 'Huge',
            visibility: 'public',
            spec: { type: 'histogram', x: { column: 'v' } },
          }),
        ),
      );
      const chartId = ((await chart.json()) as { id: string }).id;
      const data = await request(`/v1/charts/${chartId}/data`);
      expect(data.status, await data.clone().text()).toBe(200);
      const points =
        ((await data.json()) as { series: { points: [number, number][] }[] }).series[0]?.points ??
        [];
      expect(points.reduce((n, p) => n + p[1], 0)).toBe(3);
      const image = await (await request(`/v1/charts/${chartId}/image.svg`)).text();
      expect(image.match(/.{80}(NaN|Infinity|∞).{40}/g) ?? []).toEqual([]);
      const average = await request(
        `/v1/datasets/${datasetId}/query`,
        asOwner(json({ metrics: [{ op: 'avg', column: 'v' }] })),
      );
      expect(average.status).toBe(422);
      expect((await readProblem(average)).detail).toMatch(/too large to combine/);
    });
  });

  describe('searches too long to cost little', () => {
    it('a contains filter over 200 characters is refused in words, on rows, queries and charts', async () => {
      const { body: dataset } = await createJson({
        name: 'Search',
        rows: [{ cat: 'a' }, { cat: 'b' }],
      });
      const long = '_%'.repeat(101);
      const read = await rows(dataset.id, `filter=${encodeURIComponent(`cat:contains:${long}`)}`);
      const problem = await expect422At(read, ['query', 'filter', 0, 'value']);
      expect(problem.detail).toMatch(/at most 200 characters/);
      const query = await request(
        `/v1/datasets/${dataset.id}/query`,
        asOwner(
          json({
            metrics: [{ op: 'count' }],
            filters: [{ column: 'cat', op: 'contains', value: long }],
          }),
        ),
      );
      expect(query.status).toBe(422);
      const fits = await rows(
        dataset.id,
        `filter=${encodeURIComponent(`cat:contains:${'a'.repeat(200)}`)}`,
      );
      expect(fits.status).toBe(200);
    });
  });
});
