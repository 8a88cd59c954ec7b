import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import {
  type DatabaseHandle,
  databaseOptionsFromConfig,
  openDatabase,
} from '../../src/db/database.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { type Account, json, signUp } from '../support/accounts.ts';
import { testConfig } from '../support/app.ts';
import { contractClient, readProblem } from '../support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../support/databases.ts';
import { type DatasetBody, leftovers, uploadCsv } from '../support/datasets.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { controlledBody, copiesRunning, csvRows, until } from './streams.ts';

/**
 * Sends `head`, then `trickle` one byte every 100 ms, as a slowloris client does. Resolves with
 * what the server answered and how much of the trickle was still unsent when it hung up.
 */
function trickle(url: string, head: string, slow: string) {
  const { hostname, port } = new URL(url);
  return new Promise<{ answer: string; unsent: number }>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {}); // a reset is one way of being hung up on
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, unsent: slow.length - sent });
    });
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent === slow.length) {
          clearInterval(timer);
          reject(new Error(`the server let a slow client send everything:\n${answer}`));
          socket.destroy();
          return;
        }
        socket.write(slow[sent++] as string);
      }, 100);
    });
  });
}

function expectProblem(answer: string, status: number) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(head).toMatch(/content-type: application\/problem\+json/i);
  expect(JSON.parse(body)).toMatchObject({ status });
}

describe('slow clients (slowloris)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(
      testConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '2000',
      }),
    );
  });
  afterAll(() => server.shutdown());

  it('headers sent a byte at a time: 408 problem+json and the connection closed', async () => {
    const { answer, unsent } = await trickle(
      server.url,
      'GET /health HTTP/1.1\r\nHost: localhost\r\n',
      `X-Slow: ${'a'.repeat(100)}\r\n\r\n`,
    );
    expect(unsent).toBeGreaterThan(0);
    expectProblem(answer, 408);
  });

  it('a body sent a byte at a time: 408 problem+json once HTTP_REQUEST_TIMEOUT_MS is spent', async () => {
    const body = JSON.stringify({ email: 'slow@example.com', password: 'x'.repeat(100) });
    const { answer, unsent } = await trickle(
      server.url,
      'POST /v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`,
      body,
    );
    expect(unsent).toBeGreaterThan(0);
    expectProblem(answer, 408);
  });

  it('a client that sends no valid HTTP gets a 400 problem+json', async () => {
    const { answer } = await trickle(server.url, 'NONSENSE\r\n\r\n', 'x'.repeat(50));
    expectProblem(answer, 400);
  });
});

describe.each(testEngines)('a stalled upload on %s', (engine) => {
  const running: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const server of running.splice(0)) server.child.kill('SIGKILL');
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('is aborted after BODY_IDLE_TIMEOUT_MS and leaves nothing behind', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'chartroom-stall-'));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const env: Record<string, string> = {
      TMPDIR: scratch,
      BODY_IDLE_TIMEOUT_MS: '1000',
      // Only the idle timeout can end this upload.
      HTTP_REQUEST_TIMEOUT_MS: '0',
    };
    let database: TestDatabase | undefined;
    if (engine === 'postgres') {
      database = await openTestDatabase('postgres');
      cleanups.push(() => (database as TestDatabase).close());
      Object.assign(env, { DATABASE_URL: database.url as string, DATABASE_POOL_MAX: '2' });
    } else {
      env.PGLITE_DATA_DIR = 'memory://';
    }
    const server = await startServerProcess(env);
    running.push(server);
    const owner = await signUp(server.request, 'Stall');
    const spillFiles = async () => {
      const [own = ''] = (await readdir(scratch)).filter((name) => name.startsWith('chartroom-'));
      return (await readdir(path.join(scratch, own))).length;
    };

    const body = controlledBody();
    body.write(`n,label\n${csvRows(0, 250_000)}`);
    const upload = server.request('/v1/datasets?name=Stalled', {
      method: 'POST',
      body: body.stream,
      headers: { 'Content-Type': 'text/csv', Cookie: owner.cookie },
      duplex: 'half',
    } as RequestInit);
    await until(async () => (await spillFiles()) > 0, 'the import spills to disk');
    // Then the client sends nothing more, and never ends.

    // The server answers 408 (or, mid-write, just hangs up).
    const answer = await upload.then(
      async (response) => ({ status: response.status, body: await response.text() }),
      () => undefined,
    );
    if (answer) {
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 408 });
    }
    await until(async () => (await spillFiles()) === 0, 'the spill file is removed');
    if (database) {
      await until(async () => (await copiesRunning(database)) === 0, 'the COPY is rolled back');
      expect(await leftovers(database)).toEqual({ datasets: 0, tables: 0 });
    }
    // The import's connection went back to the pool: the next imports are served.
    for (const name of ['After1', 'After2', 'After3']) {
      const created = await server.request(`/v1/datasets?name=${name}`, {
        method: 'POST',
        body: 'n\n1\n',
        headers: { 'Content-Type': 'text/csv', Cookie: owner.cookie },
      });
      expect(created.status).toBe(201);
    }
  });
});

describe.runIf(testEngines.includes('postgres'))(
  'slow work cannot exhaust the pool (postgres)',
  () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let request: ReturnType<typeof contractClient>;
    let owner: Account;
    let datasetId: string;

    beforeAll(async () => {
      database = await openTestDatabase('postgres');
      const config = testConfig({
        DATABASE_URL: database.url as string,
        DATABASE_POOL_MAX: '4',
        DATABASE_CONNECT_TIMEOUT_MS: '1500',
        QUERY_TIMEOUT_MS: '150',
      });
      handle = openDatabase(databaseOptionsFromConfig(config));
      request = contractClient(
        createApp({ config, database: handle, logger: pino({ level: 'silent' }) }),
      );
      owner = await signUp(request, 'Heavy');
      const created = await uploadCsv(request, owner, `n,label\n${csvRows(0, 300_000)}`, {
        name: 'Big',
      });
      expect(created.status).toBe(201);
      datasetId = ((await created.json()) as DatasetBody).id;
    });
    afterAll(async () => {
      await handle?.db.destroy();
      await database?.close();
    });

    const cheapRequestServed = async () =>
      expect(
        (await request(`/v1/datasets/${datasetId}`, { headers: { Cookie: owner.cookie } })).status,
      ).toBe(200);

    it('more heavy aggregates and chart series than connections: each 503, then all is well', async () => {
      const chart = await request(
        '/v1/charts',
        json(
          {
            dataset_id: datasetId,
            title: 'Heavy',
            spec: {
              type: 'bar',
              x: { column: 'label' },
              y: ['median', 'avg', 'max'].map((aggregate) => ({ column: 'n', aggregate })),
            },
          },
          { Cookie: owner.cookie },
        ),
      );
      expect(chart.status).toBe(201);
      const chartId = ((await chart.json()) as { id: string }).id;
      const aggregate = () =>
        request(
          `/v1/datasets/${datasetId}/query`,
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
      const series = () =>
        request(`/v1/charts/${chartId}/data`, { headers: { Cookie: owner.cookie } });

      const answers = await Promise.all([
        ...Array.from({ length: 5 }, aggregate),
        ...Array.from({ length: 5 }, series),
      ]);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
      }
      // Chart series have no time limit of their own: QUERY_TIMEOUT_MS holds for every statement.
      expect((await readProblem(answers[9] as Response)).detail).toMatch(
        /took longer than the \d+ ms limit/,
      );
      await cheapRequestServed();
    });

    it('stalled uploads hold at most half the pool: other requests are still served', async () => {
      const bodies = Array.from({ length: 4 }, () => controlledBody());
      const answers: (Response | undefined)[] = [];
      const uploads = bodies.map((body, i) => {
        body.write(`n,label\n${csvRows(0, 250_000)}`);
        return uploadCsv(request, owner, body.stream, { name: `Stalled ${i}` }).then((answer) => {
          answers[i] = answer;
          return answer;
        });
      });
      // Two imports copy, holding two of the four connections; the other two wait for a turn.
      await until(async () => (await copiesRunning(database)) === 2, 'two imports are copying');
      await cheapRequestServed();
      // Those that found no turn in DATABASE_CONNECT_TIMEOUT_MS are told to retry.
      await until(async () => answers.filter(Boolean).length === 2, 'two uploads are refused');
      for (const answer of answers.filter((a): a is Response => a !== undefined)) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect((await readProblem(answer)).detail).toMatch(/Too many imports/);
      }
      const copying = bodies.filter((_, i) => answers[i] === undefined);
      for (const body of copying) body.end();
      const finished = await Promise.all(uploads.filter((_, i) => answers[i] === undefined));
      expect(finished.map((answer) => answer.status)).toEqual([201, 201]);
      await cheapRequestServed();
    });
  },
);
