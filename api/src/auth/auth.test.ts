import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, json, sessionCookie, signUp } from '../../test/support/accounts.ts';
import { createTestApp } from '../../test/support/app.ts';
import { contractClient, readProblem } from '../../test/support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from '../../test/support/databases.ts';
import { MAX_SESSIONS_PER_USER } from './auth.repository.ts';

describe.each(testEngines)('accounts on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
  });
  afterAll(() => database.close());

  it('sign-up → login → me → logout → me is 401', async () => {
    const signup = await request(
      '/v1/auth/signup',
      json({ email: '  Grace@Example.COM ', password: 'a long passphrase', display_name: 'Grace' }),
    );
    expect(signup.status).toBe(201);
    expect(await signup.json()).toMatchObject({
      email: 'grace@example.com',
      display_name: 'Grace',
    });

    const login = await request(
      '/v1/auth/login',
      json({ email: 'GRACE@example.com', password: 'a long passphrase' }),
    );
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);

    const me = await request('/v1/me', { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      email: 'grace@example.com',
      authenticated_via: 'session',
      scopes: ['read', 'write'],
    });

    const logout = await request('/v1/auth/logout', {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().join()).toMatch(/chartroom_session=;.*Max-Age=0/);

    const after = await request('/v1/me', { headers: { Cookie: cookie } });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie, stored only as a hash', async () => {
    const account = await signUp(request, 'Cookie');
    const response = await request('/v1/auth/login', json(account));
    const header = response.headers.getSetCookie()[0] ?? '';
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(header).toMatch(/Path=\//);
    expect(header).not.toMatch(/Secure/);
    const token = sessionCookie(response).split('=')[1] as string;
    const stored = await database.db.selectFrom('sessions').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(token);
  });

  it('treats emails as one whatever their case: a second sign-up is a 409', async () => {
    const account = await signUp(request, 'Twice');
    const again = await request(
      '/v1/auth/signup',
      json({
        email: account.email.toUpperCase(),
        password: 'another passphrase',
        display_name: 'X',
      }),
    );
    expect(again.status).toBe(409);
    expect((await readProblem(again)).detail).toContain('already exists');
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const account = await signUp(request, 'Alike');
    const wrongPassword = await request(
      '/v1/auth/login',
      json({ email: account.email, password: 'not the password' }),
    );
    const unknownEmail = await request(
      '/v1/auth/login',
      json({ email: `nobody-${account.email}`, password: 'not the password' }),
    );
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    const strip = ({ request_id: _, ...rest }: Record<string, unknown>) => rest;
    expect(strip(await readProblem(wrongPassword))).toEqual(strip(await readProblem(unknownEmail)));
  });

  it('names each missing or weak field in a 422', async () => {
    const response = await request(
      '/v1/auth/signup',
      json({ email: 'not-an-email', password: 'short' }),
    );
    expect(response.status).toBe(422);
    const { errors } = await readProblem(response);
    expect(errors?.map((e) => [e.loc.join('.'), e.type])).toEqual([
      ['body.email', 'invalid_format'],
      ['body.password', 'too_small'],
      ['body.display_name', 'missing'],
    ]);
    const weak = await request(
      '/v1/auth/signup',
      json({ email: 'weak@example.com', password: 'aaaaaaaaaaaa', display_name: 'W' }),
    );
    expect((await readProblem(weak)).errors?.[0]?.loc).toEqual(['body', 'password']);
  });

  it('refuses an Authorization header that holds no valid API key on sign-up and log-out, as documented', async () => {
    const badKey = { Authorization: 'Bearer not-an-api-key' };
    const signup = await request(
      '/v1/auth/signup',
      json(
        { email: 'keyed@example.com', password: 'a long passphrase', display_name: 'K' },
        badKey,
      ),
    );
    expect(signup.status).toBe(401);
    const logout = await request('/v1/auth/logout', { method: 'POST', headers: badKey });
    expect(logout.status).toBe(401);
    expect(logout.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('PATCH /v1/me without a body answers 422 naming the body, not 200 for no change', async () => {
    const account = await signUp(request, 'Bodiless');
    const response = await request('/v1/me', {
      method: 'PATCH',
      headers: { Cookie: account.cookie },
    });
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors).toEqual([
      { loc: ['body'], msg: 'Field required', type: 'missing' },
    ]);
  });

  it('renews a session that is being used (sliding expiry) and forgets an expired one', async () => {
    const account = await signUp(request, 'Slide');
    const hash = sql<string>`encode(sha256(convert_to(${account.cookie.split('=')[1]}, 'UTF8')), 'hex')`;
    // Pretend the session was made 10 days ago.
    await sql`update sessions set expires_at = now() + interval '20 days' where token_hash = ${hash}`.execute(
      database.db,
    );
    const renewed = await request('/v1/me', { headers: { Cookie: account.cookie } });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.getSetCookie()[0]).toMatch(/^chartroom_session=/);
    const { rows } = await sql<{ days: number }>`
      select extract(day from expires_at - now())::int as days from sessions where token_hash = ${hash}`.execute(
      database.db,
    );
    expect(rows[0]?.days).toBeGreaterThanOrEqual(29);

    await sql`update sessions set expires_at = now() - interval '1 second' where token_hash = ${hash}`.execute(
      database.db,
    );
    const expired = await request('/v1/me', { headers: { Cookie: account.cookie } });
    expect(expired.status).toBe(401);
    expect(expired.headers.getSetCookie().join()).toMatch(/Max-Age=0/);
  });

  it('a password change ends every session and API key but gives this browser a fresh one', async () => {
    const account = await signUp(request, 'Change');
    const elsewhere = sessionCookie(await request('/v1/auth/login', json(account)));
    const key = await createKey(request, account, ['read']);
    const wrong = await request('/v1/me', {
      method: 'PATCH',
      body: JSON.stringify({ password: 'a brand new passphrase', current_password: 'wrong one!' }),
      headers: { 'Content-Type': 'application/json', Cookie: account.cookie },
    });
    expect(wrong.status).toBe(422);
    expect((await readProblem(wrong)).errors?.[0]?.loc).toEqual(['body', 'current_password']);

    const changed = await request('/v1/me', {
      method: 'PATCH',
      body: JSON.stringify({
        password: 'a brand new passphrase',
        current_password: account.password,
        display_name: 'Changed',
      }),
      headers: { 'Content-Type': 'application/json', Cookie: account.cookie },
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ display_name: 'Changed' });
    const fresh = sessionCookie(changed);
    expect((await request('/v1/me', { headers: { Cookie: elsewhere } })).status).toBe(401);
    expect((await request('/v1/me', { headers: { Cookie: account.cookie } })).status).toBe(401);
    expect((await request('/v1/me', { headers: { Cookie: fresh } })).status).toBe(200);
    // A key made with the old password (perhaps by whoever stole it) does not outlive it.
    expect((await request('/v1/me', { headers: bearer(key.secret) })).status).toBe(401);
    const keys = await request('/v1/api-keys', { headers: { Cookie: fresh } });
    expect(await keys.json()).toEqual({ items: [] });
    const relogin = await request(
      '/v1/auth/login',
      json({ email: account.email, password: 'a brand new passphrase' }),
    );
    expect(relogin.status).toBe(200);
  });
});

describe.each(testEngines)('sessions per account on %s', (engine) => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    request = contractClient(createTestApp(database));
  });
  afterAll(() => database.close());

  const live = async (cookie: string) =>
    (await request('/v1/me', { headers: { Cookie: cookie } })).status;

  it(`keeps the ${MAX_SESSIONS_PER_USER} newest sessions of an account, ending the oldest`, async () => {
    const account = await signUp(request, 'Devices');
    const cookies = [account.cookie];
    for (let i = 0; i < MAX_SESSIONS_PER_USER + 1; i += 1) {
      cookies.push(sessionCookie(await request('/v1/auth/login', json(account))));
    }
    const statuses = [];
    for (const cookie of cookies) statuses.push(await live(cookie));
    expect(statuses).toEqual([
      401,
      401,
      ...Array.from({ length: MAX_SESSIONS_PER_USER }, () => 200),
    ]);
    const other = await signUp(request, 'Untouched');
    expect(await live(other.cookie)).toBe(200);
  });

  it('replaces the session of a browser that logs in again', async () => {
    const account = await signUp(request, 'Again');
    const again = await request('/v1/auth/login', json(account, { Cookie: account.cookie }));
    expect(again.status).toBe(200);
    expect(await live(account.cookie)).toBe(401);
    expect(await live(sessionCookie(again))).toBe(200);
    const { n } = await database.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', account.id)
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(1);
  });
});

describe('session cookies in production', () => {
  it('are Secure', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const request = contractClient(createTestApp(database, { NODE_ENV: 'production' }));
      const account = await signUp(request, 'Prod');
      const response = await request('/v1/auth/login', json(account));
      expect(response.headers.getSetCookie()[0]).toMatch(/; Secure/);
    } finally {
      await database.close();
    }
  });
});
