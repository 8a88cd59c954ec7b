import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';

interface Column {
  name: string;
  null_count: number;
  max: unknown;
}

/**
 * Holds a dataset's row locked from a connection of its own (as another instance's transaction
 * would), until `release`. `waiters` waits until that many statements queue behind some lock:
 * watched from a second connection, since a transaction sees one snapshot of pg_stat_activity.
 */
async function holdDatasetRow(url: string, id: string) {
  const holder = new pg.Client({ connectionString: url });
  const watcher = new pg.Client({ connectionString: url });
  await Promise.all([holder.connect(), watcher.connect()]);
  await holder.query('begin');
  await holder.query('select 1 from datasets where id = $1 for update', [id]);
  let released = false;
  return {
    holder,
    waiters: async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const { rows } = await watcher.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if ((rows[0]?.n ?? 0) >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`fewer than ${count} statements ever waited for a lock`);
    },
    release: async () => {
      if (released) return;
      released = true;
      await holder.query('commit');
      await Promise.all([holder.end(), watcher.end()]);
    },
  };
}

describe.each(testEngines)('appending rows to one dataset concurrently on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let account: Account;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
    account = await signUp(request, 'Appender');
  });
  afterAll(() => database.close());

  it('keeps the column statistics true to every appended row, whatever order the appends commit in', async () => {
    const created = await request(
      '/v1/datasets',
      json({ name: 'Readings', rows: [{ v: 1, n: 1 }] }, { Cookie: account.cookie }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    // On PostgreSQL, hold the dataset's row until both appends have written their rows and wait
    // on it: then each one's statistics could miss the other's rows.
    const held = engine === 'postgres' ? await holdDatasetRow(database.url as string, id) : null;
    try {
      const appends = [10, 20].map((v) =>
        request(
          `/v1/datasets/${id}/rows`,
          json({ rows: [{ v, n: null }] }, { Cookie: account.cookie }),
        ),
      );
      await held?.waiters(2);
      await held?.release();
      const answers = await Promise.all(appends);
      expect(answers.map((response) => response.status)).toEqual([201, 201]);
      // Each append reports the count it made, not the one it read before waiting its turn.
      const counts = await Promise.all(
        answers.map(async (r) => ((await r.json()) as { row_count: number }).row_count),
      );
      expect(counts.sort()).toEqual([2, 3]);
    } finally {
      await held?.release();
    }

    const dataset = (await (
      await request(`/v1/datasets/${id}`, { headers: { Cookie: account.cookie } })
    ).json()) as { row_count: number; columns: Column[] };
    expect(dataset.row_count).toBe(3);
    const column = (name: string) => dataset.columns.find((c) => c.name === name);
    expect(column('v')).toMatchObject({ null_count: 0, max: 20 });
    expect(column('n')).toMatchObject({ null_count: 2, max: 1 });
  });

  it('keeps a column label set while an append runs', async () => {
    const created = await request(
      '/v1/datasets',
      json({ name: 'Labelled', rows: [{ v: 1 }] }, { Cookie: account.cookie }),
    );
    const { id } = (await created.json()) as { id: string };
    const held = engine === 'postgres' ? await holdDatasetRow(database.url as string, id) : null;
    try {
      const append = request(
        `/v1/datasets/${id}/rows`,
        json({ rows: [{ v: 2 }] }, { Cookie: account.cookie }),
      );
      if (held) {
        await held.waiters(1);
        // The label lands while the append waits, as a PATCH on another instance would.
        await held.holder.query(
          `update datasets set columns = jsonb_set(columns, '{0,label}', '"Value"') where id = $1`,
          [id],
        );
        await held.release();
      } else {
        await append;
        const patched = await request(`/v1/datasets/${id}`, {
          method: 'PATCH',
          body: JSON.stringify({ column_labels: { v: 'Value' } }),
          headers: { 'Content-Type': 'application/json', Cookie: account.cookie },
        });
        expect(patched.status).toBe(200);
      }
      expect((await append).status).toBe(201);
    } finally {
      await held?.release();
    }
    const dataset = (await (
      await request(`/v1/datasets/${id}`, { headers: { Cookie: account.cookie } })
    ).json()) as { row_count: number; columns: (Column & { label: string | null })[] };
    expect(dataset.row_count).toBe(2);
    expect(dataset.columns[0]).toMatchObject({ name: 'v', label: 'Value', max: 2 });
  });

  it.runIf(engine === 'postgres')(
    'a label change that waits for the row keeps the statistics an append wrote meanwhile',
    async () => {
      const created = await request(
        '/v1/datasets',
        json({ name: 'Relabelled', rows: [{ v: 1 }] }, { Cookie: account.cookie }),
      );
      const { id } = (await created.json()) as { id: string };
      const held = await holdDatasetRow(database.url as string, id);
      try {
        const patch = request(`/v1/datasets/${id}`, {
          method: 'PATCH',
          body: JSON.stringify({ column_labels: { v: 'Value' } }),
          headers: { 'Content-Type': 'application/json', Cookie: account.cookie },
        });
        await held.waiters(1);
        // An append on another instance commits new statistics while the PATCH waits.
        await held.holder.query(
          `update datasets set columns = jsonb_set(columns, '{0,max}', '99') where id = $1`,
          [id],
        );
        await held.release();
        expect((await patch).status).toBe(200);
      } finally {
        await held.release();
      }
      const dataset = (await (
        await request(`/v1/datasets/${id}`, { headers: { Cookie: account.cookie } })
      ).json()) as { columns: (Column & { label: string | null })[] };
      expect(dataset.columns[0]).toMatchObject({ label: 'Value', max: 99 });
    },
  );

  it.runIf(engine === 'postgres')(
    'an append to a dataset deleted while it waits answers 404, and the delete goes through',
    async () => {
      const created = await request(
        '/v1/datasets',
        json({ name: 'Going away', rows: [{ v: 1 }] }, { Cookie: account.cookie }),
      );
      const { id } = (await created.json()) as { id: string };
      const held = await holdDatasetRow(database.url as string, id);
      try {
        const append = request(
          `/v1/datasets/${id}/rows`,
          json({ rows: [{ v: 2 }] }, { Cookie: account.cookie }),
        );
        await held.waiters(1);
        // Another instance deletes the dataset (row, then table) while the append waits.
        const { rows: tables } = await held.holder.query<{ table_name: string }>(
          'delete from datasets where id = $1 returning table_name',
          [id],
        );
        await held.holder.query(`drop table "${tables[0]?.table_name}"`);
        await held.release();
        const answer = await append;
        expect(answer.status).toBe(404);
      } finally {
        await held.release();
      }
    },
  );
});
