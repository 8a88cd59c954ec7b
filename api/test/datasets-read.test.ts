import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, bearer, createKey, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { type DatasetBody, uploadCsv } from './support/datasets.ts';

type Row = Record<string, string | number | boolean | null>;

/** A small dataset with nulls, repeats and instants either side of midnight UTC. */
const CITIES = ['Paris', 'Lyon', 'Nice', null];
const SOURCE: Row[] = Array.from({ length: 240 }, (_, i) => ({
  id: i + 1,
  city: CITIES[i % 4] ?? null,
  pm25: i % 7 === 0 ? null : ((i * 37) % 101) / 4,
  // Every 5 hours from 2024-01-30 22:00 UTC: crosses days and the month end.
  at: new Date(Date.UTC(2024, 0, 30, 22) + i * 5 * 3600_000).toISOString(),
  ok: i % 3 === 0,
}));

function toCsv(rows: Row[]): string {
  const names = Object.keys(rows[0] as Row);
  const cell = (v: Row[string]) => (v === null ? '' : String(v));
  return `${names.join(',')}\n${rows.map((r) => names.map((n) => cell(r[n] ?? null)).join(',')).join('\n')}\n`;
}

describe.each(testEngines)('reading datasets on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  let stranger: Account;
  let dataset: DatasetBody;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Owner');
    stranger = await signUp(request, 'Stranger');
    const response = await uploadCsv(request, owner, toCsv(SOURCE), { name: 'Air' });
    expect(response.status).toBe(201);
    dataset = (await response.json()) as DatasetBody;
  });
  afterAll(() => database.close());

  const get = async (path: string, who: Account | null = owner, accept?: string) => {
    const headers: Record<string, string> = who ? { Cookie: who.cookie } : {};
    if (accept) headers.Accept = accept;
    return request(path, { headers });
  };
  const rows = async (query: string) => {
    const response = await get(`/v1/datasets/${dataset.id}/rows?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { rows: Row[]; next_cursor: string | null };
  };

  it('infers the columns and their statistics', () => {
    expect(dataset.row_count).toBe(240);
    expect(dataset.columns.map((c) => c.type)).toEqual([
      'integer',
      'text',
      'number',
      'timestamp',
      'boolean',
    ]);
    const pm = SOURCE.map((r) => r.pm25).filter((v): v is number => v !== null);
    expect(dataset.columns[2]).toMatchObject({
      null_count: SOURCE.length - pm.length,
      min: Math.min(...pm),
      max: Math.max(...pm),
    });
    expect(dataset.columns[1]).toMatchObject({ null_count: 60, distinct_count: 3 });
  });

  it('round-trips: CSV in, the same CSV out', async () => {
    const response = await get(`/v1/datasets/${dataset.id}/rows`, owner, 'text/csv');
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const expected = toCsv(
      SOURCE.map((r) => ({ ...r, at: (r.at as string).replace(/\.000Z$/, '.000Z') })),
    );
    expect((await response.text()).replaceAll('\r\n', '\n')).toBe(expected);
  });

  it('round-trips: JSON rows in, the same rows out', async () => {
    const input = [
      { name: 'α', n: 1, x: 1.25, flag: true, day: '2024-01-01' },
      { name: 'β "quoted"', n: -2, x: null, flag: false, day: null },
      { name: null, n: null, x: 3, flag: null, day: '2024-12-31' },
    ];
    const created = await request(
      '/v1/datasets',
      json({ name: 'J', rows: input }, { Cookie: owner.cookie }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as DatasetBody;
    const out = (await (await get(`/v1/datasets/${id}/rows`)).json()) as { rows: Row[] };
    expect(out.rows).toEqual(input);
    const ndjson = await (
      await get(`/v1/datasets/${id}/rows`, owner, 'application/x-ndjson')
    ).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(input);
  });

  it('filters match what the test computes itself, nulls included', async () => {
    const check = async (filter: string, predicate: (r: Row) => boolean) => {
      const result = await rows(`limit=10000&${filter}`);
      expect(
        result.rows.map((r) => r.id),
        filter,
      ).toEqual(SOURCE.filter(predicate).map((r) => r.id));
    };
    await check('filter=pm25:gte:50', (r) => r.pm25 !== null && (r.pm25 as number) >= 50);
    await check(
      'filter=pm25:lt:10&filter=city:eq:Lyon',
      (r) => r.pm25 !== null && (r.pm25 as number) < 10 && r.city === 'Lyon',
    );
    await check('filter=city:ne:Paris', (r) => r.city !== null && r.city !== 'Paris');
    await check(
      `filter=${encodeURIComponent('city:in:["Nice","Lyon"]')}`,
      (r) => r.city === 'Nice' || r.city === 'Lyon',
    );
    await check(
      'filter=city:contains:YO',
      (r) => typeof r.city === 'string' && r.city.toLowerCase().includes('yo'),
    );
    await check('filter=pm25:is_null:true', (r) => r.pm25 === null);
    await check('filter=ok:eq:true', (r) => r.ok === true);
    await check(
      `filter=${encodeURIComponent('at:gte:2024-02-01T00:00:00Z')}&filter=${encodeURIComponent('at:lt:2024-02-01T10:00:00+02:00')}`,
      (r) =>
        (r.at as string) >= '2024-02-01T00:00:00.000Z' &&
        (r.at as string) < '2024-02-01T08:00:00.000Z',
    );
  });

  it('sorts by several columns, nulls last, and pages with cursors that never repeat or skip a row', async () => {
    const expected = [...SOURCE]
      .sort((a, b) => {
        const nulls = Number(a.city === null) - Number(b.city === null);
        if (nulls) return nulls;
        if (a.city !== b.city) return (a.city as string) < (b.city as string) ? 1 : -1;
        const pn = Number(a.pm25 === null) - Number(b.pm25 === null);
        if (pn || a.pm25 === null || b.pm25 === null) return pn;
        return (a.pm25 as number) - (b.pm25 as number) || (a.id as number) - (b.id as number);
      })
      .map((r) => r.id);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { rows: Row[]; next_cursor: string | null } = await rows(
        `sort=-city&sort=pm25&limit=17${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('selects columns, by name or key', async () => {
    const result = await rows('select=city&select=c1&limit=2');
    expect(result.rows).toEqual([
      { city: 'Paris', id: 1 },
      { city: 'Lyon', id: 2 },
    ]);
  });

  it('answers 422 naming the bad parameter', async () => {
    const cases: [string, (string | number)[]][] = [
      ['filter=nope:eq:1', ['query', 'filter', 0]],
      ['filter=pm25:gte:high', ['query', 'filter', 0, 'value']],
      ['filter=pm25:contains:1', ['query', 'filter', 0]],
      ['sort=-nope', ['query', 'sort', 0]],
      ['select=nope', ['query', 'select', 0]],
      ['cursor=garbage', ['query', 'cursor']],
      ['limit=0', ['query', 'limit']],
    ];
    for (const [query, loc] of cases) {
      const response = await get(`/v1/datasets/${dataset.id}/rows?${query}`);
      expect(response.status, query).toBe(422);
      expect((await readProblem(response)).errors?.[0]?.loc, query).toEqual(loc);
    }
  });

  it('aggregates by day (UTC) and category match the test’s own sums', async () => {
    const response = await request(
      `/v1/datasets/${dataset.id}/query`,
      json(
        {
          group_by: [{ column: 'at', bucket: 'day' }, { column: 'city' }],
          metrics: [
            { op: 'count' },
            { op: 'sum', column: 'pm25' },
            { op: 'avg', column: 'pm25' },
            { op: 'max', column: 'pm25' },
          ],
          filters: [{ column: 'city', op: 'is_null', value: false }],
        },
        { Cookie: owner.cookie },
      ),
    );
    expect(response.status, await response.clone().text()).toBe(200);
    const result = (await response.json()) as {
      columns: { name: string }[];
      rows: (string | number | null)[][];
    };
    expect(result.columns.map((c) => c.name)).toEqual([
      'at (day)',
      'city',
      'count',
      'sum(pm25)',
      'avg(pm25)',
      'max(pm25)',
    ]);
    const groups = new Map<string, number[]>();
    const counts = new Map<string, number>();
    for (const r of SOURCE) {
      if (r.city === null) continue;
      const key = `${(r.at as string).slice(0, 10)}T00:00:00.000Z|${r.city}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (r.pm25 !== null) groups.set(key, [...(groups.get(key) ?? []), r.pm25 as number]);
    }
    const expected = [...counts.keys()].sort().map((key) => {
      const [day, city] = key.split('|');
      const values = groups.get(key) ?? [];
      const sum = values.reduce((a, b) => a + b, 0);
      return [
        day,
        city,
        counts.get(key),
        values.length ? sum : null,
        values.length ? sum / values.length : null,
        values.length ? Math.max(...values) : null,
      ];
    });
    expect(result.rows.length).toBe(expected.length);
    result.rows.forEach((row, i) => {
      const want = expected[i] as (string | number | null)[];
      expect(row.slice(0, 3)).toEqual(want.slice(0, 3));
      for (let j = 3; j < 6; j++) {
        if (want[j] === null) expect(row[j]).toBeNull();
        else expect(row[j]).toBeCloseTo(want[j] as number, 6);
      }
    });
  });

  it('buckets by month and computes medians and distinct counts', async () => {
    const response = await request(
      `/v1/datasets/${dataset.id}/query`,
      json(
        {
          group_by: [{ column: 'at', bucket: 'month' }],
          metrics: [
            { op: 'median', column: 'pm25', as: 'median' },
            { op: 'count_distinct', column: 'city' },
          ],
          order_by: [{ name: 'median', desc: true }],
        },
        { Cookie: owner.cookie },
      ),
    );
    const result = (await response.json()) as { rows: (string | number)[][] };
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    };
    const byMonth = new Map<string, number[]>();
    for (const r of SOURCE) {
      const month = `${(r.at as string).slice(0, 7)}-01T00:00:00.000Z`;
      if (r.pm25 !== null) byMonth.set(month, [...(byMonth.get(month) ?? []), r.pm25 as number]);
    }
    const expected = [...byMonth]
      .map(([month, values]) => [month, median(values), 3])
      .sort((a, b) => (b[1] as number) - (a[1] as number));
    expect(result.rows).toEqual(expected);
  });

  it('refuses impossible queries with a 422 naming the field', async () => {
    const cases: [object, (string | number)[]][] = [
      [{ metrics: [{ op: 'sum', column: 'city' }] }, ['body', 'metrics', 0, 'column']],
      [{ metrics: [{ op: 'avg' }] }, ['body', 'metrics', 0, 'column']],
      [
        { group_by: [{ column: 'city', bucket: 'day' }], metrics: [{ op: 'count' }] },
        ['body', 'group_by', 0, 'bucket'],
      ],
      [
        { group_by: [{ column: 'nope' }], metrics: [{ op: 'count' }] },
        ['body', 'group_by', 0, 'column'],
      ],
      [
        { metrics: [{ op: 'count' }], order_by: [{ name: 'nope' }] },
        ['body', 'order_by', 0, 'name'],
      ],
      [
        { metrics: [{ op: 'count' }], filters: [{ column: 'pm25', op: 'gt', value: 'x' }] },
        ['body', 'filters', 0, 'value'],
      ],
    ];
    for (const [body, loc] of cases) {
      const response = await request(
        `/v1/datasets/${dataset.id}/query`,
        json(body, { Cookie: owner.cookie }),
      );
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect((await readProblem(response)).errors?.[0]?.loc, JSON.stringify(body)).toEqual(loc);
    }
  });

  it('refuses a NUL character in a search or a filter with a 422 naming it, not a database error', async () => {
    const search = await get('/v1/datasets?q=a%00b');
    expect(search.status).toBe(422);
    expect((await readProblem(search)).errors?.[0]?.loc).toEqual(['query', 'q']);
    const filter = await get(`/v1/datasets/${dataset.id}/rows?filter=city:eq:Par%00is`);
    expect(filter.status).toBe(422);
    expect((await readProblem(filter)).errors?.[0]?.loc).toEqual(['query', 'filter']);
    const query = await request(
      `/v1/datasets/${dataset.id}/query`,
      json(
        { metrics: [{ op: 'count' }], filters: [{ column: 'city', op: 'eq', value: '\u0000' }] },
        { Cookie: owner.cookie },
      ),
    );
    expect(query.status).toBe(422);
    expect((await readProblem(query)).errors?.[0]?.loc).toEqual(['body', 'filters', 0, 'value']);
  });

  it('refuses a cross-site aggregate query with the session cookie: 403, as documented', async () => {
    const response = await request(
      `/v1/datasets/${dataset.id}/query`,
      json(
        { metrics: [{ op: 'count' }] },
        { Cookie: owner.cookie, Origin: 'https://evil.example' },
      ),
    );
    expect(response.status).toBe(403);
    expect((await readProblem(response)).detail).toContain('CSRF');
  });

  it('keeps private datasets private: 404 for others, for reads and changes alike', async () => {
    for (const path of [`/v1/datasets/${dataset.id}`, `/v1/datasets/${dataset.id}/rows`]) {
      expect((await get(path, stranger)).status).toBe(404);
      expect((await get(path, null)).status).toBe(404);
    }
    const patch = await request(`/v1/datasets/${dataset.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'mine now' }),
      headers: { 'Content-Type': 'application/json', Cookie: stranger.cookie },
    });
    expect(patch.status).toBe(404);
    const missing = await get(`/v1/datasets/${randomUUID()}`, stranger);
    expect((await readProblem(missing)).detail).toBe(
      (await readProblem(await get(`/v1/datasets/${dataset.id}`, stranger))).detail,
    );
  });

  it('shares a public dataset with everyone and lists it; unlisted is readable but not listed', async () => {
    const patch = (body: object) =>
      request(`/v1/datasets/${dataset.id}`, {
        method: 'PATCH',
        body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
      });
    const listed = async (who: Account | null) =>
      (
        (await (await get('/v1/datasets?limit=100', who)).json()) as { items: { id: string }[] }
      ).items.map((d) => d.id);
    expect(await listed(stranger)).not.toContain(dataset.id);
    expect(await listed(owner)).toContain(dataset.id);

    expect(
      (await patch({ visibility: 'unlisted', column_labels: { pm25: 'PM2.5 (µg/m³)' } })).status,
    ).toBe(200);
    expect((await get(`/v1/datasets/${dataset.id}`, null)).status).toBe(200);
    expect(await listed(null)).not.toContain(dataset.id);

    const shared = await patch({ visibility: 'public' });
    expect(((await shared.json()) as DatasetBody).columns[2]).toMatchObject({
      label: 'PM2.5 (µg/m³)',
    });
    expect(await listed(null)).toContain(dataset.id);
    expect((await get(`/v1/datasets/${dataset.id}/rows?limit=1`, null)).status).toBe(200);
    await patch({ visibility: 'private' });
  });

  it('pages the dataset list and searches it by name', async () => {
    for (const name of ['Rain 1', 'Rain 2', 'Rain 3']) {
      await request(
        '/v1/datasets',
        json({ name, columns: [{ name: 'x', type: 'integer' }] }, { Cookie: owner.cookie }),
      );
    }
    const first = (await (await get('/v1/datasets?q=rAiN&limit=2')).json()) as {
      items: { name: string }[];
      next_cursor: string;
    };
    expect(first.items.map((d) => d.name)).toEqual(['Rain 3', 'Rain 2']);
    const second = (await (
      await get(`/v1/datasets?q=rain&limit=2&cursor=${first.next_cursor}`)
    ).json()) as {
      items: { name: string }[];
      next_cursor: string | null;
    };
    expect(second.items.map((d) => d.name)).toEqual(['Rain 1']);
    expect(second.next_cursor).toBeNull();
  });

  it('appends rows checked against the column types, and deletes the dataset with its table', async () => {
    const created = await request(
      '/v1/datasets',
      json(
        {
          name: 'Appendable',
          columns: [
            { name: 'n', type: 'integer' },
            { name: 'label', type: 'text' },
          ],
        },
        { Cookie: owner.cookie },
      ),
    );
    const { id } = (await created.json()) as DatasetBody;
    const key = await createKey(request, owner, ['read', 'write']);
    const appended = await request(
      `/v1/datasets/${id}/rows`,
      json({ rows: [{ n: 1, label: 'a' }, { n: 2 }] }, bearer(key.secret)),
    );
    expect(appended.status).toBe(201);
    expect(await appended.json()).toEqual({ appended: 2, row_count: 2 });
    const csv = await request(`/v1/datasets/${id}/rows`, {
      method: 'POST',
      body: 'label,n\nc,3\n',
      headers: { 'Content-Type': 'text/csv', ...bearer(key.secret) },
    });
    expect(csv.status).toBe(201);
    const bad = await request(
      `/v1/datasets/${id}/rows`,
      json({ rows: [{ n: 4 }, { n: 'five' }] }, bearer(key.secret)),
    );
    expect(bad.status).toBe(422);
    expect((await readProblem(bad)).errors?.[0]?.loc).toEqual(['body', 'rows', 1, 'n']);
    const all = (await (await get(`/v1/datasets/${id}/rows`)).json()) as { rows: Row[] };
    expect(all.rows).toEqual([
      { n: 1, label: 'a' },
      { n: 2, label: null },
      { n: 3, label: 'c' },
    ]);
    const readKey = await createKey(request, owner, ['read']);
    expect(
      (await request(`/v1/datasets/${id}`, { method: 'DELETE', headers: bearer(readKey.secret) }))
        .status,
    ).toBe(403);
    expect(
      (
        await request(`/v1/datasets/${id}`, {
          method: 'DELETE',
          headers: { Cookie: stranger.cookie },
        })
      ).status,
    ).toBe(404);
    expect(
      (await request(`/v1/datasets/${id}`, { method: 'DELETE', headers: { Cookie: owner.cookie } }))
        .status,
    ).toBe(204);
    expect((await get(`/v1/datasets/${id}`)).status).toBe(404);
  });

  it('keeps every column statistic true after appends, as the test computes them from all rows', async () => {
    type Cell = number | string | boolean | null;
    const batches: Record<string, Cell>[][] = [
      [
        { n: 5, x: 2.5, day: '2024-03-02', at: '2024-03-02T10:00:00Z', tag: 'a', ok: true },
        { n: null, x: -1, day: null, at: '2024-03-01T23:30:00-02:00', tag: null, ok: null },
      ],
      [
        { n: -7, x: null, day: '2023-12-31', at: null, tag: 'b', ok: false },
        { n: 12, x: 1e300, day: '2025-01-01', at: '2025-06-01T00:00:00Z', tag: 'a', ok: true },
      ],
      [{ n: null, x: null, day: null, at: null, tag: null, ok: null }],
      [{ n: 3, x: 0, day: '2024-01-01', at: '2024-01-01T00:00:00+14:00', tag: 'c', ok: false }],
    ];
    const created = await request(
      '/v1/datasets',
      json(
        {
          name: 'Statistics',
          columns: [
            { name: 'n', type: 'integer' },
            { name: 'x', type: 'number' },
            { name: 'day', type: 'date' },
            { name: 'at', type: 'timestamp' },
            { name: 'tag', type: 'text' },
            { name: 'ok', type: 'boolean' },
          ],
          rows: batches[0],
        },
        { Cookie: owner.cookie },
      ),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as DatasetBody;
    for (const batch of batches.slice(1)) {
      const appended = await request(
        `/v1/datasets/${id}/rows`,
        json({ rows: batch }, { Cookie: owner.cookie }),
      );
      expect(appended.status).toBe(201);
    }
    const all = batches.flat();
    const present = (name: string) => all.map((row) => row[name]).filter((v) => v !== null);
    const numbers = (name: string) => present(name) as number[];
    const instants = present('at').map((v) => new Date(v as string).getTime());
    const stored = ((await (await get(`/v1/datasets/${id}`)).json()) as DatasetBody).columns;
    const column = (name: string) => stored.find((c) => c.name === name);
    const nulls = (name: string) => all.length - present(name).length;
    expect(column('n')).toMatchObject({
      null_count: nulls('n'),
      min: Math.min(...numbers('n')),
      max: Math.max(...numbers('n')),
    });
    expect(column('x')).toMatchObject({
      null_count: nulls('x'),
      min: Math.min(...numbers('x')),
      max: Math.max(...numbers('x')),
    });
    expect(column('day')).toMatchObject({
      null_count: nulls('day'),
      min: [...(present('day') as string[])].sort()[0],
      max: [...(present('day') as string[])].sort().at(-1),
    });
    expect(column('at')).toMatchObject({
      null_count: nulls('at'),
      min: new Date(Math.min(...instants)).toISOString(),
      max: new Date(Math.max(...instants)).toISOString(),
    });
    expect(column('tag')).toMatchObject({
      null_count: nulls('tag'),
      distinct_count: new Set(present('tag')).size,
    });
    expect(column('ok')).toMatchObject({
      null_count: nulls('ok'),
      distinct_count: new Set(present('ok')).size,
    });
  });

  it('neutralises spreadsheet formulas in CSV exports of text cells, not in numbers', async () => {
    const created = await uploadCsv(
      request,
      owner,
      'note,n\n"=HYPERLINK(""http://x"")",-5\n@SUM(A1),1\n+1,2\n',
      { name: 'F' },
    );
    const { id } = (await created.json()) as DatasetBody;
    const text = await (await get(`/v1/datasets/${id}/rows`, owner, 'text/csv')).text();
    expect(text).toBe('note,n\r\n"\'=HYPERLINK(""http://x"")",-5\r\n\'@SUM(A1),1\r\n\'+1,2\r\n');
  });
});

describe.runIf(testEngines.includes('postgres'))('aggregate time limit on postgres', () => {
  it('cancels a query that runs past QUERY_TIMEOUT_MS and answers 503 quickly', async () => {
    const database = await openTestDatabase('postgres');
    try {
      const request = contractClient(createTestApp(database, { QUERY_TIMEOUT_MS: '100' }));
      const owner = await signUp(request, 'Slow');
      const lines = ['n,label'];
      for (let i = 0; i < 300_000; i++) lines.push(`${(i * 7919) % 100_003},row ${i}`);
      const created = await uploadCsv(request, owner, `${lines.join('\n')}\n`, { name: 'Big' });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as DatasetBody;
      const response = await request(
        `/v1/datasets/${id}/query`,
        json(
          {
            group_by: [{ column: 'label' }],
            metrics: [
              { op: 'median', column: 'n' },
              { op: 'count_distinct', column: 'label' },
            ],
            order_by: [{ name: 'median(n)', desc: true }],
          },
          { Cookie: owner.cookie },
        ),
      );
      expect(response.status).toBe(503);
      expect((await readProblem(response)).detail).toContain('100 ms limit');
      // The pool is not stuck: the next request is served.
      expect(
        (await request(`/v1/datasets/${id}`, { headers: { Cookie: owner.cookie } })).status,
      ).toBe(200);
    } finally {
      await database.close();
    }
  });
});
