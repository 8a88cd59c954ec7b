import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import { type Account, json, signUp } from '../support/accounts.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../support/databases.ts';
import { type DatasetBody, leftovers } from '../support/datasets.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { controlledBody, copiesRunning, csvRows, until } from './streams.ts';

/** The temporary files each server process keeps under `base`, by folder. */
async function scratchFiles(base: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const folder of await readdir(base)) found[folder] = await readdir(path.join(base, folder));
  return found;
}

function uploadSlowly(server: ServerProcess, owner: Account) {
  const body = controlledBody();
  // Several MB, so the import is past its first batches and loading, then it stalls.
  body.write(`n,label\n${csvRows(0, 250_000)}`);
  const response = server
    .request('/v1/datasets?name=Interrupted', {
      method: 'POST',
      body: body.stream,
      headers: { 'Content-Type': 'text/csv', Cookie: owner.cookie },
      duplex: 'half',
    } as RequestInit)
    .catch((error: unknown) => error);
  return { body, response };
}

async function datasetsOf(server: ServerProcess, owner: Account) {
  const response = await server.request('/v1/datasets?mine=true', {
    headers: { Cookie: owner.cookie },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { name: string }[] }).items;
}

/** A dataset row whose table is gone, or a per-dataset table no dataset names. */
async function inconsistencies(database: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select (select count(*) from datasets d
              where not exists (select 1 from pg_tables t where t.tablename = d.table_name))
         + (select count(*) from pg_tables t
              where t.tablename like 'ds\\_%'
                and not exists (select 1 from datasets d where d.table_name = t.tablename))
         as n`.execute(database.db);
  return Number(rows[0]?.n);
}

describe.each(testEngines)(
  'the API killed (SIGKILL) in the middle of a CSV import on %s',
  (engine) => {
    const running: ServerProcess[] = [];
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const server of running.splice(0)) server.child.kill('SIGKILL');
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it('leaves no partial dataset and no temporary files once it has restarted', async () => {
      const scratch = await mkdtemp(path.join(tmpdir(), 'chartroom-crash-'));
      cleanups.push(() => rm(scratch, { recursive: true, force: true }));
      const env: Record<string, string> = { TMPDIR: scratch };
      let database: TestDatabase | undefined;
      if (engine === 'postgres') {
        database = await openTestDatabase('postgres');
        cleanups.push(() => (database as TestDatabase).close());
        env.DATABASE_URL = database.url as string;
      } else {
        env.PGLITE_DATA_DIR = path.join(scratch, 'pglite');
      }

      const first = await startServerProcess(env);
      running.push(first);
      const owner = await signUp(first.request, 'Crash');
      const { response } = uploadSlowly(first, owner);
      // The import is under way: its spill file exists, and on PostgreSQL its COPY runs.
      await until(
        async () => Object.values(await scratchFiles(scratch)).some((files) => files.length > 0),
        'the import spills to disk',
      );
      if (database) await until(async () => (await copiesRunning(database)) > 0, 'COPY runs');

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe(null);
      await response;
      const before = await scratchFiles(scratch);
      expect(Object.values(before).flat().length).toBeGreaterThan(0);

      const second = await startServerProcess(env);
      running.push(second);
      // The killed process's temporary folder is gone; only the new process's own is left.
      const after = await scratchFiles(scratch);
      expect(Object.keys(after).filter((folder) => folder in before)).toEqual(
        engine === 'pglite' ? ['pglite'] : [],
      );
      expect(await datasetsOf(second, owner)).toEqual([]);

      // The database is consistent and takes the same import now.
      const created = await second.request(
        '/v1/datasets',
        json({ name: 'After', rows: [{ n: 1 }] }, { Cookie: owner.cookie }),
      );
      expect(created.status).toBe(201);
      expect(((await created.json()) as DatasetBody).row_count).toBe(1);
      expect((await datasetsOf(second, owner)).map((dataset) => dataset.name)).toEqual(['After']);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      if (database) {
        await until(async () => (await copiesRunning(database)) === 0, 'the COPY is gone');
        expect(await leftovers(database)).toEqual({ datasets: 1, tables: 1 });
        expect(await inconsistencies(database)).toBe(0);
      } else {
        // The embedded database opens cleanly after the crash, with only the later dataset.
        const handle = openDatabase({ kind: 'pglite', dataDir: env.PGLITE_DATA_DIR as string });
        const reopened = {
          kind: 'pglite',
          db: handle.db,
          handle,
          close: () => handle.db.destroy(),
        };
        try {
          expect(await leftovers(reopened as TestDatabase)).toEqual({ datasets: 1, tables: 1 });
          expect(await inconsistencies(reopened as TestDatabase)).toBe(0);
        } finally {
          await reopened.close();
        }
      }
    });
  },
);
