import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.ts';
import { contractClient, readProblem } from '../../test/support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../../test/support/databases.ts';
import { openDatabase } from '../db/database.ts';

describe.each(testEngines)('health on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(() => database.close());

  it('GET /health answers 200 {"status":"ok"}', async () => {
    const request = contractClient(createTestApp(database));
    const response = await request('/health');
    expect(response.status).toBe(200);
    expect(await readProblem(response)).toEqual({ status: 'ok' });
  });

  it('GET /ready answers 200 when the database answers and migrations are current', async () => {
    const request = contractClient(createTestApp(database));
    const response = await request('/ready');
    expect(response.status).toBe(200);
    expect(await readProblem(response)).toEqual({
      status: 'ready',
      database: engine,
      migrations: 'current',
      replica: 'none',
    });
  });

  it('GET /health and GET /ready ignore credentials, even an API key that is no good', async () => {
    const request = contractClient(createTestApp(database));
    for (const path of ['/health', '/ready']) {
      for (const headers of [
        { Authorization: 'Bearer cr_live_revoked' },
        { Cookie: 'chartroom_session=expired' },
      ]) {
        expect(
          (await request(path, { headers })).status,
          `${path} ${JSON.stringify(headers)}`,
        ).toBe(200);
      }
    }
  });

  it('GET /ready answers 503 naming the migrations not applied yet', async () => {
    const fresh = await openTestDatabase(engine, { migrate: false });
    try {
      const request = contractClient(createTestApp(fresh));
      const response = await request('/ready');
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await readProblem(response)).detail).toContain('0001_users');
    } finally {
      await fresh.close();
    }
  });
});

describe('GET /ready with the database unreachable', () => {
  it('answers 503 problem+json quickly instead of hanging', async () => {
    // Port 1 on loopback refuses at once: the same answer as a stopped server.
    const handle = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
    const { db } = handle;
    try {
      const request = contractClient(
        createTestApp({ kind: 'postgres', db, handle, close: async () => {} }),
      );
      const response = await request('/ready');
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = await readProblem(response);
      expect(body.detail).toBe('The database does not answer.');
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await db.destroy();
    }
  });
});
