import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';
import { uploadCsv } from './support/datasets.ts';

// Found from outside: a streamed export gave its heavy-read slot back as soon as the stream was
// handed over, so one anonymous caller ran many at once; and each 5,000-row page sorted the
// whole table again (560 s for 2M rows sorted by text).
const ROWS = 12_000;
function csv(): string {
  const lines = ['id,word'];
  for (let i = 0; i < ROWS; i++) lines.push(`${i},w${(i * 7919) % ROWS}`);
  return `${lines.join('\n')}\n`;
}

describe.each(testEngines)('row exports on %s', (engine) => {
  let database: TestDatabase;
  let owner: Account;
  let datasetId: string;
  const app = (env: Record<string, string> = {}) => contractClient(createTestApp(database, env));
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    owner = await signUp(app(), 'Exporter');
    const response = await uploadCsv(app(), owner, csv(), { visibility: 'public' });
    datasetId = ((await response.json()) as { id: string }).id;
  }, 60_000);
  afterAll(() => database.close());

  it('streams every row once, in the order asked, across pages', async () => {
    const response = await app()(`/v1/datasets/${datasetId}/rows?sort=-word`, {
      headers: { Accept: 'application/x-ndjson' },
    });
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(ROWS);
    expect(new Set(lines.map((l) => l.id)).size).toBe(ROWS);
    const words = lines.map((l) => l.word as string);
    expect(words).toEqual([...words].sort().reverse());
  });

  // Straight to the app: the contract-checking client reads every body in full to check it.
  const direct = (env: Record<string, string>) => {
    const instance = createTestApp(database, env);
    return (path: string, init?: RequestInit) => Promise.resolve(instance.request(path, init));
  };

  it('holds its heavy-read slot until the last byte is read', async () => {
    const request = direct({ HEAVY_READS_CONCURRENCY: '1', HEAVY_READS_WAIT_MS: '0' });
    const exporting = await request(`/v1/datasets/${datasetId}/rows?sort=word`, {
      headers: { Accept: 'text/csv' },
    });
    expect(exporting.status).toBe(200);
    // The export is not read yet: its slot is still taken.
    const meanwhile = await request(`/v1/datasets/${datasetId}/rows?limit=1`);
    expect(meanwhile.status).toBe(503);
    await meanwhile.text();
    const text = await exporting.text();
    expect(text.trim().split('\r\n')).toHaveLength(ROWS + 1);
    const after = await request(`/v1/datasets/${datasetId}/rows?limit=1`);
    expect(after.status).toBe(200);
  });

  it('gives the slot back when the client leaves part way', async () => {
    const request = direct({ HEAVY_READS_CONCURRENCY: '1', HEAVY_READS_WAIT_MS: '0' });
    const exporting = await request(`/v1/datasets/${datasetId}/rows`, {
      headers: { Accept: 'text/csv' },
    });
    const reader = (exporting.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await request(`/v1/datasets/${datasetId}/rows?limit=1`);
      status = answer.status;
      await answer.text();
    }
    expect(status).toBe(200);
  });
});
