import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { deleteExpiredKeys } from '../src/idempotency/idempotency.repository.ts';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';

type Request = ReturnType<typeof contractClient>;

const CSV = 'city,day,pm25\nParis,2024-01-01,12.5\nLyon,2024-01-01,8\n';

/** A request body that arrives in two parts, the second when the test says so. */
function heldOpenBody(first: string) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(new TextEncoder().encode(first));
    },
  });
  return {
    stream,
    finish(rest: string) {
      controller.enqueue(new TextEncoder().encode(rest));
      controller.close();
    },
  };
}

describe.each(testEngines)('Idempotency-Key on %s', (engine) => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  let request: Request;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    app = createTestApp(database);
    request = contractClient(app);
    account = await signUp(request, 'Retrier');
  });
  afterAll(() => database.close());

  const keyed = (key: string, headers: Record<string, string> = {}) => ({
    Cookie: account.cookie,
    'Idempotency-Key': key,
    ...headers,
  });
  const postJson = (path: string, body: unknown, key: string, who = account) =>
    request(path, json(body, { Cookie: who.cookie, 'Idempotency-Key': key }));
  const postCsv = (
    csv: string | ReadableStream<Uint8Array>,
    key: string,
    query = 'name=Air&visibility=private',
  ) =>
    request(`/v1/datasets?${query}`, {
      method: 'POST',
      body: csv,
      headers: keyed(key, { 'Content-Type': 'text/csv' }),
      ...(csv instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const count = async (table: 'datasets' | 'charts' | 'api_keys' | 'idempotency_keys') => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(
      table,
    )}`.execute(database.db);
    return rows[0]?.n ?? 0;
  };
  const newDataset = async () => {
    const response = await postCsv(CSV, randomUUID());
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };

  it('POST /v1/datasets with JSON answers a retry with the first dataset, marked replayed, and creates no second one', async () => {
    const key = randomUUID();
    const body = { name: 'Cities', rows: [{ city: 'Paris', pm25: 12 }] };
    const before = await count('datasets');
    const first = await postJson('/v1/datasets', body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    const retry = await postJson('/v1/datasets', body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(retry.headers.get('Location')).toBe(first.headers.get('Location'));
    expect(retry.headers.get('Content-Type')).toBe(first.headers.get('Content-Type'));
    // A replay is an answer like any other: the same security headers.
    for (const name of ['Content-Security-Policy', 'X-Content-Type-Options', 'X-Request-Id']) {
      expect(retry.headers.get(name), name).toBeTruthy();
    }
    expect(await retry.json()).toEqual(await first.json());
    expect(await count('datasets')).toBe(before + 1);
  });

  it('POST /v1/datasets with a streamed CSV replays the first import, and a different file under the same key answers 422', async () => {
    const key = randomUUID();
    const before = await count('datasets');
    const first = await postCsv(CSV, key);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string };

    // The same bytes, streamed in other chunks, are the same request.
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of [CSV.slice(0, 7), CSV.slice(7, 30), CSV.slice(30)]) {
          controller.enqueue(new TextEncoder().encode(part));
        }
        controller.close();
      },
    });
    const retry = await postCsv(chunked, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await retry.json()) as { id: string }).id).toBe(created.id);

    const otherFile = await postCsv(`${CSV}Nice,2024-01-02,3\n`, key);
    expect(otherFile.status).toBe(422);
    expect(otherFile.headers.get('Content-Type')).toBe('application/problem+json');
    expect((await readProblem(otherFile)).errors).toEqual([
      expect.objectContaining({
        loc: ['header', 'Idempotency-Key'],
        type: 'idempotency_key_reused',
      }),
    ]);
    const otherQuery = await postCsv(CSV, key, 'name=Other');
    expect(otherQuery.status).toBe(422);
    expect(await count('datasets')).toBe(before + 1);
  });

  it('POST /v1/datasets/{id}/rows appends once however often it is retried', async () => {
    const id = await newDataset();
    const key = randomUUID();
    const rows = { rows: [{ city: 'Nice', day: '2024-01-02', pm25: 3 }] };
    const first = await postJson(`/v1/datasets/${id}/rows`, rows, key);
    expect(first.status).toBe(201);
    const retry = await postJson(`/v1/datasets/${id}/rows`, rows, key);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
    const dataset = await request(`/v1/datasets/${id}`, { headers: { Cookie: account.cookie } });
    expect(((await dataset.json()) as { row_count: number }).row_count).toBe(3);

    // The same key on another dataset is another request.
    const other = await newDataset();
    const elsewhere = await postJson(`/v1/datasets/${other}/rows`, rows, key);
    expect(elsewhere.status).toBe(422);
  });

  it('POST /v1/charts replays the first chart', async () => {
    const datasetId = await newDataset();
    const chart = {
      dataset_id: datasetId,
      title: 'PM2.5 by city',
      spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'pm25', aggregate: 'avg' }] },
    };
    const key = randomUUID();
    const before = await count('charts');
    const first = await postJson('/v1/charts', chart, key);
    expect(first.status, await first.clone().text()).toBe(201);
    const retry = await postJson('/v1/charts', chart, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await retry.json()) as { id: string }).id).toBe(
      ((await first.json()) as { id: string }).id,
    );
    expect(await count('charts')).toBe(before + 1);
  });

  it('POST /v1/api-keys replays the key with its secret, which is stored encrypted', async () => {
    const key = randomUUID();
    const before = await count('api_keys');
    const first = await postJson('/v1/api-keys', { name: 'nightly', scopes: ['write'] }, key);
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; secret: string };
    const retry = await postJson('/v1/api-keys', { name: 'nightly', scopes: ['write'] }, key);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ id: created.id, secret: created.secret });
    expect(await count('api_keys')).toBe(before + 1);

    const { rows } = await sql<{ row: string }>`select row_to_json(k)::text as row
      from idempotency_keys k`.execute(database.db);
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) {
      expect(row).not.toContain(created.secret);
      expect(row).not.toContain(key);
    }
  });

  it('answers 409 to a retry while the first request still runs, and creates one dataset', async () => {
    const key = randomUUID();
    const before = await count('datasets');
    const upload = heldOpenBody('city,day,pm25\nParis,2024-01-01,12.5\n');
    const first = postCsv(upload.stream, key);
    // The first request holds the key once a row without an answer exists.
    const running = async () =>
      (
        await database.db
          .selectFrom('idempotency_keys')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('response_status', 'is', null)
          .executeTakeFirstOrThrow()
      ).n;
    for (let i = 0; i < 1000 && Number(await running()) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const concurrent = await postCsv(CSV, key);
    expect(concurrent.status).toBe(409);
    expect(concurrent.headers.get('Content-Type')).toBe('application/problem+json');
    expect(concurrent.headers.get('Retry-After')).toBe('1');

    upload.finish('Lyon,2024-01-01,8\n');
    const done = await first;
    expect(done.status).toBe(201);
    const retry = await postCsv(CSV, key);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await count('datasets')).toBe(before + 1);
  });

  it('replays a client error too, even one that stopped reading a CSV at a bad line', async () => {
    const key = randomUUID();
    // Line 3 is short; the many parts after it are left unread by the import.
    const ragged = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('city,day,pm25\nParis,2024-01-01,1\n'));
          controller.enqueue(new TextEncoder().encode('Lyon,2024-01-01\n'));
        },
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('Nice,2024-01-01,3\n'.repeat(50)));
          if (++sent === 200) controller.close();
        },
      });
    let sent = 0;
    const first = await postCsv(ragged(), key);
    expect(first.status).toBe(422);
    expect(sent).toBe(200);
    sent = 0;
    const retry = await postCsv(ragged(), key);
    expect(retry.status).toBe(422);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    // The very same answer, request id and all.
    expect(await readProblem(retry)).toEqual(await readProblem(first));

    const badChart = { dataset_id: randomUUID(), title: 'x', spec: { type: 'pie' } };
    const chartKey = randomUUID();
    const refused = await postJson('/v1/charts', badChart, chartKey);
    expect(refused.status).toBe(422);
    const refusedAgain = await postJson('/v1/charts', badChart, chartKey);
    expect(refusedAgain.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await refusedAgain.json()).toEqual(await refused.json());
  });

  it('remembers no server error, so a retry with the same key can succeed', async () => {
    const id = await newDataset();
    const { table_name } = await database.db
      .selectFrom('datasets')
      .select('table_name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const key = randomUUID();
    const rows = { rows: [{ city: 'Nice', day: '2024-01-02', pm25: 3 }] };
    // The rows' table goes missing for a while: appending fails on the server's side.
    await sql`alter table ${sql.table(table_name)} rename to ${sql.table(`${table_name}_away`)}`.execute(
      database.db,
    );
    // Straight to the app: a 500 is nothing the contract promises.
    const failed = await app.request(
      `/v1/datasets/${id}/rows`,
      json(rows, { Cookie: account.cookie, 'Idempotency-Key': key }),
    );
    expect(failed.status).toBe(500);
    await sql`alter table ${sql.table(`${table_name}_away`)} rename to ${sql.table(table_name)}`.execute(
      database.db,
    );
    const retry = await postJson(`/v1/datasets/${id}/rows`, rows, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBeNull();
    expect(((await retry.json()) as { row_count: number }).row_count).toBe(3);
  });

  it('forgets a key once it expires, and sweeps expired keys away', async () => {
    const key = randomUUID();
    const body = { name: 'Expiring', rows: [{ a: 1 }] };
    const first = (await (await postJson('/v1/datasets', body, key)).json()) as { id: string };
    await sql`update idempotency_keys set expires_at = now() - interval '1 second'`.execute(
      database.db,
    );
    const later = await postJson('/v1/datasets', body, key);
    expect(later.status).toBe(201);
    expect(later.headers.get('Idempotent-Replayed')).toBeNull();
    expect(((await later.json()) as { id: string }).id).not.toBe(first.id);

    await sql`update idempotency_keys set expires_at = now() - interval '1 second'`.execute(
      database.db,
    );
    expect(await deleteExpiredKeys(database.db)).toBeGreaterThan(0);
    expect(await count('idempotency_keys')).toBe(0);
  });

  it('keeps keys for IDEMPOTENCY_KEY_TTL_HOURS', async () => {
    const shortLived = contractClient(createTestApp(database, { IDEMPOTENCY_KEY_TTL_HOURS: '2' }));
    const key = randomUUID();
    const response = await shortLived(
      '/v1/datasets',
      json({ name: 'ttl', rows: [{ a: 1 }] }, { Cookie: account.cookie, 'Idempotency-Key': key }),
    );
    expect(response.status).toBe(201);
    const { rows } = await sql<{ seconds: number }>`
      select max(extract(epoch from expires_at - created_at))::int as seconds
      from idempotency_keys`.execute(database.db);
    expect(rows[0]?.seconds).toBe(7200);
  });

  it('keeps each user’s keys apart', async () => {
    const other = await signUp(request, 'Other');
    const key = randomUUID();
    const body = { name: 'Same key, two people', rows: [{ a: 1 }] };
    const mine = (await (await postJson('/v1/datasets', body, key)).json()) as { id: string };
    const theirs = await postJson('/v1/datasets', body, key, other);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('Idempotent-Replayed')).toBeNull();
    expect(((await theirs.json()) as { id: string }).id).not.toBe(mine.id);
  });

  it('takes the key quoted, as the IETF draft writes it, or bare, and refuses a malformed one with 400', async () => {
    const key = randomUUID();
    const body = { name: 'Quoted', rows: [{ a: 1 }] };
    const first = await postJson('/v1/datasets', body, `"${key}"`);
    const bare = await postJson('/v1/datasets', body, key);
    expect(bare.headers.get('Idempotent-Replayed')).toBe('true');
    expect(((await bare.json()) as { id: string }).id).toBe(
      ((await first.json()) as { id: string }).id,
    );
    for (const malformed of ['x'.repeat(256), '""', 'two words', '"unterminated']) {
      const response = await postJson('/v1/datasets', body, malformed);
      expect(response.status, malformed).toBe(400);
      expect(response.headers.get('Content-Type')).toBe('application/problem+json');
      expect((await readProblem(response)).detail).toContain('Idempotency-Key');
    }
  });

  it('replays a CSV streamed over a real HTTP connection', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const key = randomUUID();
      const upload = () =>
        fetch(`http://127.0.0.1:${port}/v1/datasets?name=Wire`, {
          method: 'POST',
          headers: keyed(key, { 'Content-Type': 'text/csv' }),
          // Chunked, as a client streaming a file sends it.
          body: new Blob([CSV, 'Nice,2024-01-02,3\n'.repeat(20_000)]).stream(),
          duplex: 'half',
        } as RequestInit);
      const before = await count('datasets');
      const first = await upload();
      expect(first.status).toBe(201);
      const retry = await upload();
      expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
      expect(await retry.json()).toEqual(await first.json());
      expect(await count('datasets')).toBe(before + 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is shared by two API instances on one database', async () => {
    // A second instance with its own connection pool, as a second replica would have.
    const secondHandle =
      database.kind === 'postgres' && database.url
        ? openDatabase({ kind: 'postgres', url: database.url, poolMax: 2 })
        : database.handle;
    try {
      const first = contractClient(createTestApp(database));
      const second = contractClient(createTestApp({ ...database, handle: secondHandle }));
      const key = randomUUID();
      const body = json(
        { name: 'Shared', rows: [{ a: 1 }] },
        { Cookie: account.cookie, 'Idempotency-Key': key },
      );
      const before = await count('datasets');
      const created = await first('/v1/datasets', body);
      const replayed = await second('/v1/datasets', body);
      expect(replayed.headers.get('Idempotent-Replayed')).toBe('true');
      expect(((await replayed.json()) as { id: string }).id).toBe(
        ((await created.json()) as { id: string }).id,
      );
      expect(await count('datasets')).toBe(before + 1);
    } finally {
      if (secondHandle !== database.handle) await secondHandle.db.destroy();
    }
  });
});
