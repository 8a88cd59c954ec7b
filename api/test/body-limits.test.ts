import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';

// A 10 MB body costs seconds to parse and validate, so only bodies that carry rows may be as
// large as BODY_LIMIT_BYTES; the attacker's padded anonymous log-ins and queries froze the API.
describe('body limits by what a body carries', () => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let owner: Account;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    request = contractClient(createTestApp(database));
    owner = await signUp(request, 'Limits');
  });
  afterAll(() => database.close());

  const padded = (body: object, bytes: number) =>
    JSON.stringify({ ...body, pad: 'x'.repeat(bytes) });

  it('a log-in, sign-up or key larger than 16 KB answers 413 before any work', async () => {
    for (const path of ['/v1/auth/login', '/v1/auth/signup', '/v1/api-keys']) {
      const response = await request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
        body: padded({ email: 'a@example.com', password: 'x' }, 20_000),
      });
      expect(response.status, path).toBe(413);
    }
  });

  it('a query or chart definition larger than 1 MB answers 413', async () => {
    const response = await request('/v1/charts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: owner.cookie },
      body: padded({ title: 'x' }, 1_100_000),
    });
    expect(response.status).toBe(413);
  });

  it('rows may still fill a body up to BODY_LIMIT_BYTES', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ n: i, note: 'y'.repeat(80) }));
    const body = { name: 'Big JSON', rows };
    expect(JSON.stringify(body).length).toBeGreaterThan(1_100_000);
    const response = await request('/v1/datasets', json(body, { Cookie: owner.cookie }));
    expect(response.status, await response.clone().text()).toBe(201);
  });
});
