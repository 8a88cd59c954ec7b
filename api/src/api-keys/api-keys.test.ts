import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, json, signUp } from '../../test/support/accounts.ts';
import { createTestApp } from '../../test/support/app.ts';
import { contractClient, readProblem } from '../../test/support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../../test/support/databases.ts';
import { secured } from '../auth/secured.ts';
import { MAX_API_KEYS } from './api-keys.repository.ts';

// A write operation open to API keys, as datasets and charts are: checks the scope rule. Under
// /v1, where the API reads credentials.
const writeSomething = createRoute(
  secured({
    method: 'post',
    path: '/v1/test/write',
    responses: { 204: { description: 'done' } },
  }),
);

describe.each(testEngines)('API keys on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let app: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    app = createTestApp(database);
    app.openapi(writeSomething, (c) => c.body(null, 204));
    request = contractClient(app);
  });
  afterAll(() => database.close());

  it('creates a key whose secret is shown once and works as a Bearer token', async () => {
    const account = await signUp(request, 'Keys');
    const key = await createKey(request, account, ['read']);
    expect(key.secret).toMatch(/^cr_live_[\w-]{43}$/);

    const listed = await request('/v1/api-keys', { headers: { Cookie: account.cookie } });
    const { items } = (await listed.json()) as { items: Record<string, unknown>[] };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: key.id, scopes: ['read'], last_used_at: null });
    expect(key.secret.startsWith(items[0]?.prefix as string)).toBe(true);
    expect(JSON.stringify(items)).not.toContain(key.secret);

    const me = await request('/v1/me', { headers: bearer(key.secret) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      id: account.id,
      authenticated_via: 'api_key',
      scopes: ['read'],
    });
    const after = await request('/v1/api-keys', { headers: { Cookie: account.cookie } });
    const [used] = ((await after.json()) as { items: { last_used_at: string | null }[] }).items;
    expect(used?.last_used_at).not.toBeNull();
  });

  it(`holds at most ${MAX_API_KEYS} keys per account, even asked for all at once; 409 past them`, async () => {
    const account = await signUp(request, 'ManyKeys');
    const asked = await Promise.all(
      Array.from({ length: MAX_API_KEYS + 5 }, (_, i) =>
        request(
          '/v1/api-keys',
          json({ name: `k${i}`, scopes: ['read'] }, { Cookie: account.cookie }),
        ),
      ),
    );
    const statuses = asked.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_API_KEYS);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    const refused = asked.find((r) => r.status === 409) as Response;
    expect((await readProblem(refused)).detail).toMatch(/at most 50 API keys: revoke one/);
    const kept = (await asked.find((r) => r.status === 201)?.json()) as { id: string };
    const revoked = await request(`/v1/api-keys/${kept.id}`, {
      method: 'DELETE',
      headers: { Cookie: account.cookie },
    });
    expect(revoked.status).toBe(204);
    await createKey(request, account, ['read']);
  });

  it('stores only a hash of the secret', async () => {
    const account = await signUp(request, 'Hash');
    const key = await createKey(request, account, ['read']);
    const rows = await database.db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(key.secret);
  });

  it('a read key cannot write: 403 naming the missing scope; a write key can', async () => {
    const account = await signUp(request, 'Scopes');
    const readKey = await createKey(request, account, ['read']);
    const refused = await app.request('/v1/test/write', {
      method: 'POST',
      headers: bearer(readKey.secret),
    });
    expect(refused.status).toBe(403);
    expect((await readProblem(refused)).detail).toContain('"write" scope');
    const writeKey = await createKey(request, account, ['read', 'write']);
    const allowed = await app.request('/v1/test/write', {
      method: 'POST',
      headers: bearer(writeKey.secret),
    });
    expect(allowed.status).toBe(204);
  });

  it('keys cannot manage keys: only a logged-in session can', async () => {
    const account = await signUp(request, 'Mint');
    const key = await createKey(request, account, ['read', 'write']);
    const minted = await request('/v1/api-keys', json({ name: 'x' }, bearer(key.secret)));
    expect(minted.status).toBe(403);
    expect((await readProblem(minted)).detail).toContain('logged-in session');
  });

  it('revokes at once; someone else’s key answers 404 like a missing one', async () => {
    const owner = await signUp(request, 'Owner');
    const other = await signUp(request, 'Other');
    const key = await createKey(request, owner, ['read']);
    const stranger = await request(`/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: { Cookie: other.cookie },
    });
    expect(stranger.status).toBe(404);
    const missing = await request(`/v1/api-keys/${randomUUID()}`, {
      method: 'DELETE',
      headers: { Cookie: other.cookie },
    });
    expect(await readProblem(missing)).toMatchObject({
      status: 404,
      detail: (await readProblem(stranger)).detail,
    });
    expect((await request('/v1/me', { headers: bearer(key.secret) })).status).toBe(200);

    const revoked = await request(`/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: { Cookie: owner.cookie },
    });
    expect(revoked.status).toBe(204);
    const refused = await request('/v1/me', { headers: bearer(key.secret) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="chartroom", error="invalid_token"',
    );
  });

  it('refuses malformed Authorization headers with 401, never 500', async () => {
    for (const header of [
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'Bearer cr_live_short',
      `Bearer ${'x'.repeat(5000)}`,
      "Bearer ' OR 1=1 --",
    ]) {
      const response = await request('/v1/me', { headers: { Authorization: header } });
      expect(response.status, header).toBe(401);
    }
  });

  it('validates the key request: unknown scope, repeated scope, empty name', async () => {
    const account = await signUp(request, 'Valid');
    const response = await request(
      '/v1/api-keys',
      json({ name: '   ', scopes: ['read', 'admin'] }, { Cookie: account.cookie }),
    );
    expect(response.status).toBe(422);
    const locs = (await readProblem(response)).errors?.map((e) => e.loc.join('.'));
    expect(locs).toEqual(['body.name', 'body.scopes.1']);
    const repeated = await request(
      '/v1/api-keys',
      json({ name: 'k', scopes: ['read', 'read'] }, { Cookie: account.cookie }),
    );
    expect((await readProblem(repeated)).errors?.[0]?.loc).toEqual(['body', 'scopes']);
    const badId = await request('/v1/api-keys/not-a-uuid', {
      method: 'DELETE',
      headers: { Cookie: account.cookie },
    });
    expect((await readProblem(badId)).errors?.[0]?.loc).toEqual(['path', 'id']);
  });
});
