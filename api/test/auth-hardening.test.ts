import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';

describe('CSRF protection for cookie sessions', () => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    request = contractClient(createTestApp(database, { CORS_ORIGINS: 'https://app.example.com' }));
  });
  afterAll(() => database.close());

  it('refuses a cookie-authenticated change sent from another site', async () => {
    const account = await signUp(request, 'Csrf');
    const forged = await request('/v1/api-keys', {
      ...json({ name: 'stolen' }, { Cookie: account.cookie, Origin: 'https://evil.example' }),
    });
    expect(forged.status).toBe(403);
    expect((await readProblem(forged)).detail).toContain('CSRF');
    const crossSite = await request('/v1/auth/logout', {
      method: 'POST',
      headers: { Cookie: account.cookie, 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const loginCsrf = await request(
      '/v1/auth/login',
      json(
        { email: account.email, password: account.password },
        { Origin: 'https://evil.example' },
      ),
    );
    expect(loginCsrf.status).toBe(403);
  });

  it('allows the allow-listed web origin, the API’s own pages, and non-browser clients', async () => {
    const account = await signUp(request, 'Allowed');
    const fromApp = await request(
      '/v1/api-keys',
      json({ name: 'app' }, { Cookie: account.cookie, Origin: 'https://app.example.com' }),
    );
    expect(fromApp.status).toBe(201);
    const fromDocs = await request(
      '/v1/api-keys',
      json(
        { name: 'docs' },
        { Cookie: account.cookie, Origin: 'http://localhost', Host: 'localhost' },
      ),
    );
    expect(fromDocs.status).toBe(201);
    const fromScript = await request(
      '/v1/api-keys',
      json({ name: 'curl' }, { Cookie: account.cookie }),
    );
    expect(fromScript.status).toBe(201);
  });

  it('does not apply to API keys, which a browser never sends by itself', async () => {
    const account = await signUp(request, 'Bearer');
    const key = await createKey(request, account, ['read']);
    const response = await request('/v1/me', {
      headers: { ...bearer(key.secret), Origin: 'https://evil.example' },
    });
    expect(response.status).toBe(200);
  });
});

describe.each(testEngines)('rate limits on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(() => database.close());

  it('cap logins per client address, shared by every instance, with 429 and Retry-After', async () => {
    const env = { RATE_LIMIT_LOGIN_PER_MINUTE: '3', TRUST_PROXY: 'true' };
    // Two app instances on one database: the count lives in PostgreSQL, not in either process.
    const first = contractClient(createTestApp(database, env));
    const second = contractClient(createTestApp(database, env));
    const attempt = (instance: typeof first, ip: string) =>
      instance(
        '/v1/auth/login',
        json(
          { email: 'who@example.com', password: 'whatever!' },
          { 'X-Forwarded-For': `10.9.9.9, ${ip}` },
        ),
      );
    const ip = `192.0.2.${Math.floor(Math.random() * 250)}`;
    expect((await attempt(first, ip)).status).toBe(401);
    expect((await attempt(second, ip)).status).toBe(401);
    const third = await attempt(first, ip);
    expect(third.status).toBe(401);
    expect(third.headers.get('ratelimit')).toMatch(/^"login";r=0;t=\d+$/);
    expect(third.headers.get('ratelimit-policy')).toBe('"login";q=3;w=60');

    const limited = await attempt(second, ip);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    // Another address is counted apart.
    expect((await attempt(first, `198.51.100.${Math.floor(Math.random() * 250)}`)).status).toBe(
      401,
    );
  });

  it('cap writes per API key or session', async () => {
    const request = contractClient(createTestApp(database, { RATE_LIMIT_WRITES_PER_MINUTE: '2' }));
    const account = await signUp(request, 'Writer');
    await createKey(request, account, ['read']);
    await createKey(request, account, ['read']);
    const third = await request('/v1/api-keys', json({ name: 'x' }, { Cookie: account.cookie }));
    expect(third.status).toBe(429);
  });
});

describe.each(testEngines)('two API instances on one %s database', (engine) => {
  it('a key revoked through one is refused by the other at once', async () => {
    const database = await openTestDatabase(engine);
    try {
      const first = contractClient(createTestApp(database));
      const second = contractClient(createTestApp(database));
      const account = await signUp(first, 'Twin');
      const key = await createKey(first, account, ['read']);
      expect((await second('/v1/me', { headers: bearer(key.secret) })).status).toBe(200);
      const revoked = await first(`/v1/api-keys/${key.id}`, {
        method: 'DELETE',
        headers: { Cookie: account.cookie },
      });
      expect(revoked.status).toBe(204);
      expect((await second('/v1/me', { headers: bearer(key.secret) })).status).toBe(401);
      // A logout through one instance ends the session on the other.
      await first('/v1/auth/logout', { method: 'POST', headers: { Cookie: account.cookie } });
      expect((await second('/v1/me', { headers: { Cookie: account.cookie } })).status).toBe(401);
    } finally {
      await database.close();
    }
  });
});

describe('hostile input to the account operations', () => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    request = contractClient(createTestApp(database));
  });
  afterAll(() => database.close());

  const countUsers = async () =>
    Number(
      (
        await database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers clear 4xx problems and stores nothing', async () => {
    const before = await countUsers();
    const cases: [string, RequestInit, number][] = [
      [
        'malformed JSON',
        { method: 'POST', body: '{"email":', headers: { 'Content-Type': 'application/json' } },
        422,
      ],
      ['a JSON array', json([1, 2, 3]), 422],
      ['wrong types', json({ email: 42, password: true, display_name: ['x'] }), 422],
      [
        'a 10 MB email',
        json({
          email: `${'a'.repeat(10 * 1024 * 1024)}@example.com`,
          password: 'long enough!',
          display_name: 'Big',
        }),
        413,
      ],
      [
        'SQL in the email',
        json({
          email: "x'; drop table users; --@example.com",
          password: 'long enough!',
          display_name: 'S',
        }),
        422,
      ],
      [
        'a NUL in the name',
        json({ email: 'nul@example.com', password: 'long enough!', display_name: 'a\u0000b' }),
        422,
      ],
      [
        'a lone surrogate in the name',
        {
          method: 'POST',
          body: '{"email":"s@example.com","password":"long enough!","display_name":"\\ud800"}',
          headers: { 'Content-Type': 'application/json' },
        },
        422,
      ],
      [
        'a form body',
        {
          method: 'POST',
          body: 'email=a',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        },
        415,
      ],
      ['no body at all', { method: 'POST' }, 422],
    ];
    for (const [name, init, status] of cases) {
      const response = await request('/v1/auth/signup', init);
      expect(response.status, name).toBe(status);
      expect(response.headers.get('content-type'), name).toBe('application/problem+json');
    }
    expect(await countUsers()).toBe(before);
  });

  it('stores unicode and SQL-looking text exactly as sent', async () => {
    const name = "Zoë 李 🎉 Robert'); DROP TABLE users;--";
    const response = await request(
      '/v1/auth/signup',
      json({ email: 'Zoë.Ünïcode@例え.jp', password: 'pässwörd 密码 🔑', display_name: name }),
    );
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await response.json()).toMatchObject({ display_name: name });
    const login = await request(
      '/v1/auth/login',
      json({ email: 'zoë.ünïcode@例え.jp', password: 'pässwörd 密码 🔑' }),
    );
    expect(login.status).toBe(200);
  });
});
