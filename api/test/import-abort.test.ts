import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// A stuck database, as far as one import can tell: another session holds the dataset's row, so
// appends wait on its lock indefinitely. PostgreSQL only: PGlite has one session.
describe.runIf(process.env.DATABASE_URL)('an import whose client went away (PostgreSQL)', () => {
  let database: TestDatabase;
  let request: (url: string, init?: RequestInit) => Promise<Response>;
  let owner: Account;
  let datasetId: string;
  let locker: pg.Client;
  let small: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    // Two connections: one import slot, so one stuck import holds every slot there is.
    const handle = openDatabase({
      kind: 'postgres',
      url: database.url as string,
      poolMax: 2,
      connectTimeoutMs: 30_000,
    });
    small = handle;
    const app = createTestApp({ ...database, handle, db: handle.db });
    request = (url, init) => Promise.resolve(app.request(url, init));
    owner = await signUp(request, 'Stuck');
    const response = await uploadCsv(request, owner, 'a,b\n1,2\n');
    expect(response.status).toBe(201);
    datasetId = ((await response.json()) as { id: string }).id;
    locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
  }, 60_000);
  afterAll(async () => {
    await locker.end();
    await small.db.destroy();
    await database.close();
  });

  const waitingOnLocks = async () =>
    Number(
      (
        await locker.query(
          "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        )
      ).rows[0].n,
    );

  it('gives its connection and import slot back at once, and keeps nothing', async () => {
    await locker.query('begin');
    await locker.query('select id from datasets where id = $1 for update', [datasetId]);
    const controller = new AbortController();
    const append = request(`/v1/datasets/${datasetId}/rows`, {
      ...json({ rows: [{ a: 3, b: 4 }] }, { Cookie: owner.cookie }),
      signal: controller.signal,
    });
    while ((await waitingOnLocks()) < 1) await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    // The client is gone: its unread answer is 499 (the client's doing), not a server failure
    // the access log would report as an error (the load test counts those).
    expect((await append).status).toBe(499);
    // With the slot still held, this upload would wait its connect timeout (30 s,
    // past the test's timeout) and answer 503; given back, it imports while the lock is held.
    const upload = await uploadCsv(request, owner, 'c\n5\n');
    expect(upload.status, await upload.clone().text()).toBe(201);
    await locker.query('rollback');
    const dataset = await request(`/v1/datasets/${datasetId}`, {
      headers: { Cookie: owner.cookie },
    });
    expect(((await dataset.json()) as { row_count: number }).row_count).toBe(1);
  }, 20_000);
});
