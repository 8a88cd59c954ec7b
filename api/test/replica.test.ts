import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import {
  type DatabaseHandle,
  databaseOptionsFromConfig,
  openDatabase,
} from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabaseWithReplica, readsOf } from '../src/db/replica.ts';
import type { Database } from '../src/db/schema.ts';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import {
  type ReplicatedPair,
  replicationUnavailable,
  startReplicatedPair,
} from './support/replication.ts';

// Runs with the PostgreSQL lane (DATABASE_URL set), on servers of its own: never the shared one.
const skipped = process.env.DATABASE_URL
  ? replicationUnavailable()
  : 'DATABASE_URL is not set (PGlite only)';

/** Polls, a bounded number of times, until `check` holds. */
async function until(check: () => Promise<boolean>, what: string, tries = 150): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe.skipIf(skipped)(
  `reads on a real streaming replica${skipped ? ` (skipped: ${skipped})` : ''}`,
  () => {
    let pair: ReplicatedPair;
    let handle: DatabaseHandle;
    let request: ReturnType<typeof contractClient>;
    let owner: Account;
    let dataset: { id: string; table: string };
    let chartId: string;

    async function onServer(url: string, text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    }
    const onStandby = (text: string, values: unknown[] = []) =>
      onServer(pair.standbyUrl, text, values);

    /** A call, its whole body, and what each server logged (every statement) while it ran. */
    async function during(call: () => Promise<Response>) {
      const [primarySince, standbySince] = [
        await pair.primaryLog.mark(),
        await pair.standbyLog.mark(),
      ];
      const response = await call();
      // An export streams: its queries run while the body is read.
      const body = await response.text();
      return {
        status: response.status,
        body,
        primary: await primarySince(),
        standby: await standbySince(),
      };
    }

    const asOwner = () => ({ headers: { Cookie: owner.cookie } });
    const tableOf = async (id: string) =>
      ((await onServer(pair.primaryUrl, 'select table_name from datasets where id = $1', [id]))[0]
        ?.table_name ?? '') as string;

    /** Every read that tolerates lag, each with the statement that shows where it ran. */
    const lagTolerantReads = () =>
      [
        ['rows', `"${dataset.table}"`, () => request(`/v1/datasets/${dataset.id}/rows`, asOwner())],
        [
          'CSV export',
          `"${dataset.table}"`,
          () => request(`/v1/datasets/${dataset.id}/rows?format=csv`, asOwner()),
        ],
        [
          'NDJSON export',
          `"${dataset.table}"`,
          () => request(`/v1/datasets/${dataset.id}/rows?format=ndjson`, asOwner()),
        ],
        [
          'aggregate query',
          `"${dataset.table}"`,
          () =>
            request(
              `/v1/datasets/${dataset.id}/query`,
              json(
                { group_by: [{ column: 'city' }], metrics: [{ op: 'sum', column: 'n' }] },
                asOwner().headers,
              ),
            ),
        ],
        ['chart data', `"${dataset.table}"`, () => request(`/v1/charts/${chartId}/data`)],
        ['chart image', `"${dataset.table}"`, () => request(`/v1/charts/${chartId}/image.svg`)],
        [
          'anonymous dataset list',
          'order by "datasets"."created_at"',
          () => request('/v1/datasets'),
        ],
        ['anonymous chart list', 'order by "charts"."created_at"', () => request('/v1/charts')],
      ] as const;

    beforeAll(async () => {
      pair = await startReplicatedPair();
      const migrator = openDatabase({ kind: 'postgres', url: pair.primaryUrl, poolMax: 1 });
      try {
        await migrateToLatest(migrator.db);
      } finally {
        await migrator.db.destroy();
      }
      const env = {
        DATABASE_URL: pair.primaryUrl,
        DATABASE_REPLICA_URL: pair.standbyUrl,
        DATABASE_REPLICA_RETRY_MS: '300',
        DATABASE_POOL_MAX: '4',
        DATABASE_CONNECT_TIMEOUT_MS: '2000',
        NODE_ENV: 'test',
        PGLITE_DATA_DIR: 'memory://',
      };
      const config = loadConfig(env);
      handle = openDatabaseWithReplica(databaseOptionsFromConfig(config), {
        url: config.DATABASE_REPLICA_URL,
        retryAfterMs: config.DATABASE_REPLICA_RETRY_MS,
      });
      request = contractClient(
        createTestApp({ kind: 'postgres', db: handle.db, handle, close: async () => {} }, env),
      );
      owner = await signUp(request, 'Replica');
      const created = await request(
        '/v1/datasets',
        json(
          {
            name: 'Cities',
            visibility: 'public',
            rows: [
              { city: 'Oslo', n: 1 },
              { city: 'Oslo', n: 2 },
              { city: 'Lima', n: 5 },
            ],
          },
          asOwner().headers,
        ),
      );
      expect(created.status).toBe(201);
      const id = ((await created.json()) as { id: string }).id;
      dataset = { id, table: await tableOf(id) };
      const chart = await request(
        '/v1/charts',
        json(
          {
            dataset_id: id,
            title: 'By city',
            visibility: 'public',
            spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'n', aggregate: 'sum' }] },
          },
          asOwner().headers,
        ),
      );
      expect(chart.status).toBe(201);
      chartId = ((await chart.json()) as { id: string }).id;
      await until(
        async () => (await onStandby('select 1 from charts where id = $1', [chartId])).length > 0,
        'the standby replays the chart',
      );
    });

    afterAll(async () => {
      await handle?.db.destroy().catch(() => {});
      if (handle)
        await readsOf(handle)
          .close()
          .catch(() => {});
      await pair?.destroy();
    });

    it('the replica pool reaches the standby (in recovery) and the primary pool the primary', async () => {
      const inRecovery = async (db: Kysely<Database>) =>
        (await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db)).rows[0]?.r;
      expect(await readsOf(handle).run(inRecovery)).toBe(true);
      expect(await inRecovery(handle.db)).toBe(false);
      const ready = await request('/ready');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', replica: 'up' });
    });

    it('rows, exports, aggregates, chart data and anonymous lists are read on the standby', async () => {
      for (const [name, statement, call] of lagTolerantReads()) {
        const seen = await during(call);
        expect(seen.status, `${name}: ${seen.body}`).toBe(200);
        expect(seen.standby, name).toContain(statement);
        expect(seen.primary, name).not.toContain(statement);
      }
      // Who the caller is comes from the primary: sessions never go to the replica.
      const rows = await during(() => request(`/v1/datasets/${dataset.id}/rows`, asOwner()));
      expect(rows.primary).toContain('from "sessions"');
      expect(rows.standby).not.toContain('"sessions"');
      expect(JSON.parse(rows.body).rows).toHaveLength(3);
    });

    it('writes, and a signed-in caller’s own list, go to the primary', async () => {
      const write = await during(() =>
        request(
          '/v1/datasets',
          json({ name: 'Written', rows: [{ city: 'Rome', n: 3 }] }, asOwner().headers),
        ),
      );
      expect(write.status).toBe(201);
      expect(write.primary).toContain('insert into "datasets"');
      // A standby refuses writes anyway; its log shows none was even tried there.
      expect(write.standby).not.toMatch(/(statement|execute [^:]*): (insert|update|delete)\b/i);
      expect(write.primary).toMatch(/execute [^:]*: insert into "datasets"/);
      const mine = await during(() => request('/v1/datasets?mine=true', asOwner()));
      expect(mine.status).toBe(200);
      expect(mine.primary).toContain('order by "datasets"."created_at"');
      expect(mine.standby).not.toContain('order by "datasets"."created_at"');
    });

    it('a read right after a write sees it, and who may read follows the primary, while the standby lags', async () => {
      await onStandby('select pg_wal_replay_pause()');
      await until(
        async () =>
          (await onStandby('select pg_get_wal_replay_pause_state() as state'))[0]?.state ===
          'paused',
        'replay pauses',
      );
      let freshId = '';
      try {
        // Created on the primary, unknown to the standby: read back from the primary at once.
        const created = await request(
          '/v1/datasets',
          json(
            { name: 'Fresh', visibility: 'public', rows: [{ city: 'Quito', n: 7 }] },
            asOwner().headers,
          ),
        );
        expect(created.status).toBe(201);
        freshId = ((await created.json()) as { id: string }).id;
        const freshTable = await tableOf(freshId);
        const fresh = await during(() => request(`/v1/datasets/${freshId}/rows`, asOwner()));
        expect(fresh.status).toBe(200);
        expect(JSON.parse(fresh.body).rows).toEqual([{ city: 'Quito', n: 7 }]);
        expect(fresh.primary).toContain(`"${freshTable}"`);
        expect(fresh.standby).not.toContain(`"${freshTable}"`);

        // Rows appended: the standby still has the older version, so the primary answers.
        const appended = await request(
          `/v1/datasets/${dataset.id}/rows`,
          json({ rows: [{ city: 'Lima', n: 100 }] }, asOwner().headers),
        );
        expect(appended.status).toBe(201);
        const sums = await request(
          `/v1/datasets/${dataset.id}/query`,
          json(
            { group_by: [{ column: 'city' }], metrics: [{ op: 'sum', column: 'n', as: 'total' }] },
            asOwner().headers,
          ),
        );
        expect(sums.status).toBe(200);
        const { rows: totals } = (await sums.json()) as { rows: unknown[][] };
        expect(totals).toEqual(expect.arrayContaining([['Lima', 105]]));
        const series = (await (await request(`/v1/charts/${chartId}/data`)).json()) as {
          series: { points: unknown[][] }[];
        };
        expect(series.series[0]?.points).toEqual(expect.arrayContaining([['Lima', 105]]));

        // The anonymous list tolerates the lag (the standby has no "Fresh" yet); the owner's does not.
        const listed = async (init?: RequestInit) =>
          (
            (await (await request('/v1/datasets?limit=100', init)).json()) as {
              items: { id: string }[];
            }
          ).items.map((item) => item.id);
        expect(await listed()).not.toContain(freshId);
        expect(await listed(asOwner())).toContain(freshId);

        // Made private on the primary: the standby still says public, and is not asked.
        const patch = (visibility: string) =>
          request(`/v1/datasets/${dataset.id}`, {
            method: 'PATCH',
            body: JSON.stringify({ visibility }),
            headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
          });
        expect((await patch('private')).status).toBe(200);
        expect((await request(`/v1/datasets/${dataset.id}/rows`)).status).toBe(404);
        expect((await patch('public')).status).toBe(200);
      } finally {
        await onStandby('select pg_wal_replay_resume()');
      }
      await until(
        async () =>
          (
            (await (await request('/v1/datasets?limit=100')).json()) as { items: { id: string }[] }
          ).items.some((item) => item.id === freshId),
        'the standby catches up and lists "Fresh"',
      );
    });

    it('with the standby stopped, every read is answered by the primary, and the replica is used again once it is back', {
      timeout: 120_000,
    }, async () => {
      await pair.stopStandby();
      try {
        for (const [name, statement, call] of lagTolerantReads()) {
          const seen = await during(call);
          expect(seen.status, `${name}: ${seen.body}`).toBe(200);
          expect(seen.primary, name).toContain(statement);
        }
        const ready = await request('/ready');
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ready', replica: 'down' });
      } finally {
        await pair.startStandby();
      }
      const [, statement, rows] = lagTolerantReads()[0];
      await until(async () => {
        const seen = await during(rows);
        return seen.status === 200 && seen.standby.includes(statement);
      }, 'rows are read on the standby again');
      expect(await (await request('/ready')).json()).toMatchObject({ replica: 'up' });
    });
  },
);
