import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { openDatabase } from '../../src/db/database.ts';
import { startServer } from '../../src/server.ts';
import { type Account, json, signUp } from '../support/accounts.ts';
import { testConfig } from '../support/app.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../support/databases.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { controlledBody, csvRows, until } from './streams.ts';

/** Import spill files in the server processes' temporary folders under `base`. */
async function spillFiles(base: string): Promise<number> {
  let count = 0;
  for (const folder of await readdir(base)) {
    if (folder.startsWith('chartroom-')) count += (await readdir(path.join(base, folder))).length;
  }
  return count;
}

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** A GET over `agent`, so that keep-alive connections are reused as a real client would. */
function get(agent: http.Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            connection: response.headers.connection,
            body,
          }),
        );
      })
      .on('error', reject);
  });
}

describe('SIGTERM with many requests in flight (in process)', () => {
  it('finishes each of them, closes every connection, and takes no new request', async () => {
    const inFlight = 25;
    let started = 0;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1' }), (deps) => {
      const app = createApp(deps);
      app.get('/test/slow', async (c) => {
        started++;
        await released;
        return c.text('finished');
      });
      return app;
    });
    const busy = new http.Agent({ keepAlive: true, maxSockets: inFlight });
    const idle = new http.Agent({ keepAlive: true });
    try {
      // A client whose keep-alive connection sits idle, and many whose requests are running.
      expect((await get(idle, `${server.url}/health`)).status).toBe(200);
      const slow = Array.from({ length: inFlight }, () => get(busy, `${server.url}/test/slow`));
      await until(async () => started === inFlight, 'every request has started');

      const stopped = server.shutdown();
      // Nothing new gets in: not over a new connection, nor over the idle keep-alive one.
      await expect(fetch(`${server.url}/health`)).rejects.toThrow();
      await expect(get(idle, `${server.url}/health`)).rejects.toThrow();

      release();
      const answers = await Promise.all(slow);
      for (const answer of answers) {
        expect(answer).toEqual({ status: 200, connection: 'close', body: 'finished' });
      }
      // Their connections were closed behind them, so this cannot slip in either.
      await expect(get(busy, `${server.url}/health`)).rejects.toThrow();
      await stopped;
    } finally {
      release();
      busy.destroy();
      idle.destroy();
      await server.shutdown();
    }
  });
});

describe.each(testEngines)('SIGTERM to the API process under load on %s', (engine) => {
  const running: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) server.child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A server process on this engine, and a way to read its database once it has stopped. */
  async function start(env: Record<string, string>) {
    const scratch = await mkdtemp(path.join(tmpdir(), 'chartroom-sigterm-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    let database: TestDatabase;
    if (engine === 'postgres') {
      database = await openTestDatabase('postgres');
      cleanups.push(() => database.close());
      env.DATABASE_URL = database.url as string;
    } else {
      env.PGLITE_DATA_DIR = path.join(scratch, 'pglite');
    }
    const server = await startServerProcess({ TMPDIR: scratch, ...env });
    running.push(server);
    const afterwards = async <T>(read: (db: TestDatabase['db']) => Promise<T>): Promise<T> => {
      if (engine === 'postgres') return read(database.db);
      const handle = openDatabase({ kind: 'pglite', dataDir: env.PGLITE_DATA_DIR as string });
      try {
        return await read(handle.db);
      } finally {
        await handle.db.destroy();
      }
    };
    return { server, afterwards, scratch };
  }

  function uploadCsv(server: ServerProcess, owner: Account, name: string, rows = 5_000) {
    const body = controlledBody();
    body.write(`n,label\n${csvRows(0, rows)}`);
    const response = server.request(`/v1/datasets?name=${name}`, {
      method: 'POST',
      body: body.stream,
      headers: { 'Content-Type': 'text/csv', Cookie: owner.cookie },
      duplex: 'half',
    } as RequestInit);
    return { body, response };
  }

  it('finishes what is in flight, refuses the rest, loses no write, and exits 0', async () => {
    const { server, afterwards } = await start({ SHUTDOWN_GRACE_MS: '20000' });
    const owner = await signUp(server.request, 'Load');
    const created = await server.request(
      '/v1/datasets',
      json(
        { name: 'Counter', columns: [{ name: 'n', type: 'integer' }], rows: [] },
        {
          Cookie: owner.cookie,
        },
      ),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    // Uploads whose bodies are still arriving when the signal comes.
    const uploads = [uploadCsv(server, owner, 'Slow1'), uploadCsv(server, owner, 'Slow2')];
    // Workers sending appends and reads back to back until the server is gone.
    let acknowledged = 0;
    const statuses: number[] = [];
    const worker = async (w: number) => {
      for (let i = 0; ; i++) {
        const append = i % 2 === 0;
        const response = await server
          .request(
            append ? `/v1/datasets/${id}/rows` : `/v1/datasets/${id}/rows?limit=5`,
            append
              ? json({ rows: [{ n: w * 100_000 + i }] }, { Cookie: owner.cookie })
              : { headers: { Cookie: owner.cookie } },
          )
          .catch(() => undefined);
        if (!response) return; // refused: the server no longer takes requests
        statuses.push(response.status);
        await response.arrayBuffer();
        if (append && response.status === 201) acknowledged++;
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await until(async () => statuses.length >= 40, 'the load is under way');

    server.child.kill('SIGTERM');
    for (const upload of uploads) {
      upload.body.write(csvRows(5_000, 5_000));
      upload.body.end();
    }
    const answers = await Promise.all(uploads.map((upload) => upload.response));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    await Promise.all(workers);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('"stopped"');

    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const stored = await afterwards(async (db) => {
      const dataset = await db
        .selectFrom('datasets')
        .select(['table_name', 'row_count'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(dataset.table_name)}`.execute(db);
      return { rows: rows[0]?.n, row_count: Number(dataset.row_count) };
    });
    expect(stored).toEqual({ rows: acknowledged, row_count: acknowledged });
  });

  it('cuts a request that outlasts SHUTDOWN_GRACE_MS, rolls it back, and still exits 0', async () => {
    const { server, afterwards, scratch } = await start({
      SHUTDOWN_GRACE_MS: '1000',
      BODY_IDLE_TIMEOUT_MS: '0',
    });
    const owner = await signUp(server.request, 'Stuck');
    // An upload that stops sending, once its import is under way, and never finishes.
    const stuck = uploadCsv(server, owner, 'Stuck', 250_000);
    const cut = stuck.response.catch((error: unknown) => error);
    await until(async () => (await spillFiles(scratch)) > 0, 'the import spills to disk');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('grace period over');
    expect(await cut).toBeInstanceOf(Error);
    const datasets = await afterwards((db) => db.selectFrom('datasets').select('name').execute());
    expect(datasets).toEqual([]);
  });
});
