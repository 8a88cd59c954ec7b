import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';

describe('compressed request bodies', () => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Zip');
  }, 60_000);
  afterAll(() => database.close());

  const mine = async () => {
    const response = await request('/v1/datasets?limit=100', { headers: { Cookie: owner.cookie } });
    return ((await response.json()) as { items: unknown[] }).items.length;
  };

  it('a gzip CSV upload answers 415 naming the coding, and stores nothing', async () => {
    const before = await mine();
    const response = await request('/v1/datasets?name=zipped', {
      method: 'POST',
      body: gzipSync('a,b\n1,2\n'),
      headers: { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip', Cookie: owner.cookie },
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('accept-encoding')).toBe('identity');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toMatch(/uncompressed.*gzip/);
    expect(await mine()).toBe(before);
  });

  it('a JSON body with any coding is refused the same way; identity passes', async () => {
    const refused = await request(
      '/v1/api-keys',
      json({ name: 'k', scopes: ['read'] }, { 'Content-Encoding': 'br', Cookie: owner.cookie }),
    );
    expect(refused.status).toBe(415);
    const plain = await request('/v1/datasets?name=plain', {
      method: 'POST',
      body: 'a,b\n1,2\n',
      headers: { 'Content-Type': 'text/csv', 'Content-Encoding': 'identity', Cookie: owner.cookie },
    });
    expect(plain.status).toBe(201);
  });
});
