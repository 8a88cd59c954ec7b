import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { signUp } from './support/accounts.ts';
import { createTestApp, testConfig } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// PGlite runs one query at a time and cannot cancel one: there heavy reads take turns, so any
// other query waits behind one of them at most (found from outside: a log-in took 51 s behind
// six exports).
describe('the heavy-read default follows the engine', () => {
  let database: TestDatabase;
  let datasetId: string;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    const request = contractClient(createTestApp(database));
    const owner = await signUp(request, 'Turns');
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},r${i % 9}`).join('\n');
    const response = await uploadCsv(request, owner, `n,r\n${rows}\n`, { visibility: 'public' });
    datasetId = ((await response.json()) as { id: string }).id;
  }, 60_000);
  afterAll(() => database.close());

  it('is unset unless configured, so the app chooses by engine', () => {
    expect(loadConfig({}).HEAVY_READS_CONCURRENCY).toBeUndefined();
    expect(loadConfig({ HEAVY_READS_CONCURRENCY: '8' }).HEAVY_READS_CONCURRENCY).toBe(8);
  });

  it('on PGlite, one heavy read at a time: a second waits (here: refused at once)', async () => {
    const config = { ...testConfig({ HEAVY_READS_WAIT_MS: '0' }) };
    delete config.HEAVY_READS_CONCURRENCY;
    const app = createApp({ config, database: database.handle, logger: pino({ level: 'silent' }) });
    // An export not yet read keeps its slot.
    const exporting = await app.request(`/v1/datasets/${datasetId}/rows`, {
      headers: { Accept: 'text/csv' },
    });
    expect(exporting.status).toBe(200);
    const second = await app.request(`/v1/datasets/${datasetId}/rows?limit=1`);
    expect(second.status).toBe(503);
    await exporting.text();
    expect((await app.request(`/v1/datasets/${datasetId}/rows?limit=1`)).status).toBe(200);
  });
});
