import { CompiledQuery } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { type CopyWriter, TAB_SEPARATED } from '../../src/db/bulk.ts';
import {
  type DatabaseHandle,
  databaseOptionsFromConfig,
  openDatabase,
} from '../../src/db/database.ts';
import { type Account, json, signUp } from '../support/accounts.ts';
import { testConfig } from '../support/app.ts';
import { contractClient, readProblem } from '../support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../support/databases.ts';
import { leftovers, uploadCsv } from '../support/datasets.ts';
import { controlledBody, copiesRunning, csvRows, until } from './streams.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

// Only a database server can stop under a running API; PGlite lives inside it.
describe.runIf(testEngines.includes('postgres'))(
  'the database goes away while the API runs',
  () => {
    let database: TestDatabase;
    let proxy: TcpProxy;
    let handle: DatabaseHandle;
    let request: ReturnType<typeof contractClient>;
    let owner: Account;
    let datasetId: string;

    beforeAll(async () => {
      database = await openTestDatabase('postgres');
      proxy = await startTcpProxy(database.url as string);
      const config = testConfig({
        DATABASE_URL: proxy.url,
        DATABASE_POOL_MAX: '3',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        QUERY_TIMEOUT_MS: '1000',
      });
      handle = openDatabase(databaseOptionsFromConfig(config));
      request = contractClient(
        createApp({ config, database: handle, logger: pino({ level: 'silent' }) }),
      );
      owner = await signUp(request, 'Outage');
      const created = await request(
        '/v1/datasets',
        json({ name: 'Before', rows: [{ n: 1 }, { n: 2 }] }, { Cookie: owner.cookie }),
      );
      expect(created.status).toBe(201);
      datasetId = ((await created.json()) as { id: string }).id;
    });

    afterAll(async () => {
      await handle?.db.destroy();
      await proxy?.close();
      await database?.close();
    });

    const calls = () =>
      [
        ['/v1/me', { headers: { Cookie: owner.cookie } }],
        ['/v1/datasets', {}],
        [`/v1/datasets/${datasetId}`, { headers: { Cookie: owner.cookie } }],
        [`/v1/datasets/${datasetId}/rows`, { headers: { Cookie: owner.cookie } }],
      ] as const;

    async function expectUnavailable(response: Response) {
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('5');
      const text = JSON.stringify(await readProblem(response));
      // Nothing about the connection reaches the client.
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminated|timeout exceeded|postgres/i);
    }

    async function expectServing() {
      expect((await request('/ready')).status).toBe(200);
      for (const [path, init] of calls()) expect((await request(path, init)).status).toBe(200);
    }

    it('stopped: /ready and every call answer 503 problem+json; service resumes when it is back', async () => {
      await expectServing();
      await proxy.stop();

      const ready = await request('/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      for (const [path, init] of calls()) await expectUnavailable(await request(path, init));
      await expectUnavailable(
        await request(
          '/v1/datasets',
          json({ name: 'During', rows: [{ n: 3 }] }, { Cookie: owner.cookie }),
        ),
      );

      // No restart: the same app and pool serve again as soon as the database does.
      await proxy.start();
      await expectServing();
      const after = await request(`/v1/datasets/${datasetId}`, {
        headers: { Cookie: owner.cookie },
      });
      expect(((await after.json()) as { row_count: number }).row_count).toBe(2);
    });

    it('a request holding a connection when it stops answers 503, and nothing of it is kept', async () => {
      const body = controlledBody();
      body.write(`n,label\n${csvRows(0, 250_000)}`);
      const upload = uploadCsv(request, owner, body.stream, { name: 'Cut off' });
      // The import's COPY is under way on a pooled connection.
      await until(async () => (await copiesRunning(database)) > 0, 'the import is copying');
      await proxy.stop();
      body.write(csvRows(250_000, 1000));
      body.end();
      await expectUnavailable(await upload);

      await proxy.start();
      await expectServing();
      expect(await leftovers(database)).toEqual({ datasets: 1, tables: 1 });
    });

    it('a COPY cut off while the server is not reading fails instead of waiting forever', async () => {
      const failure = handle.bulk(async (session) => {
        await session.execute(CompiledQuery.raw('create table severed (n int)'));
        const copy = session.openCopy('severed', ['n'], TAB_SEPARATED) as CopyWriter;
        await copy.write(Buffer.from('1\n'));
        // The server stops reading: more than the socket buffers hold stays queued in the client.
        proxy.freeze();
        const queued = copy.write(Buffer.from('2\n'.repeat(16 * 1024 * 1024)));
        await proxy.stop();
        await expect(queued).rejects.toThrow();
        await copy.end();
      });
      await expect(failure).rejects.toThrow();
      await proxy.start();
      await expectServing();
    });

    it('silent network: calls answer 503 after the timeouts instead of hanging; then resume', async () => {
      await expectServing();
      proxy.freeze();

      // The first call takes a pooled connection, which gets no answer (query timeout); the
      // next ones open new connections, which get no handshake (connect timeout).
      for (const [path, init] of calls()) await expectUnavailable(await request(path, init));
      expect((await request('/ready')).status).toBe(503);

      await proxy.start();
      await expectServing();
    });
  },
);
