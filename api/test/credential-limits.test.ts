import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../src/lib/rate-limit.ts';
import { bearer, createKey, json, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase, testEngines } from './support/databases.ts';

const MINUTE = 60_000;
/** A whole number of minutes and hours since the epoch: windows start exactly here. */
const EPOCH = 1_800_000_000_000 - (1_800_000_000_000 % (60 * MINUTE));

let lastIp = 0;
/** A new client address per use, so that tests sharing a database never share a bucket. */
const newIp = () => {
  lastIp += 1;
  return `198.51.${Math.floor(lastIp / 250)}.${lastIp % 250}`;
};
const from = (ip: string, headers: Record<string, string> = {}) => ({
  'X-Forwarded-For': ip,
  ...headers,
});
type Request = (url: string, init?: RequestInit) => Promise<Response>;
/** Signs up from an address of its own, so that sign-ups do not spend a test's budget. */
const signUpFrom = (request: Request, name: string) =>
  signUp(
    (url, init = {}) =>
      request(url, { ...init, headers: { ...(init.headers as object), ...from(newIp()) } }),
    name,
  );

describe('the sliding-window counter', () => {
  it('still counts the previous window’s hits just after the boundary', () => {
    // 10 hits at the very end of the last window: 1 s into this one, nearly all still count.
    expect(decide(10, 1, 10, MINUTE, 1_000).allowed).toBe(false);
    // Halfway through, half of them have slid out of view.
    expect(decide(10, 5, 10, MINUTE, 30_000).allowed).toBe(true);
    expect(decide(10, 6, 10, MINUTE, 30_000).allowed).toBe(false);
  });

  it('says when the next hit fits', () => {
    // 9 before and the 10th now: the next fits once a ninth of the previous window has gone.
    const full = decide(9, 1, 10, MINUTE, 0);
    expect(full).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 7 });
    const denied = decide(9, 2, 10, MINUTE, 0);
    expect(denied).toMatchObject({ allowed: false, resetSeconds: 7 });
    // The limit spent in this window alone: only the next window, partly, can take one more.
    expect(decide(0, 11, 10, MINUTE, 0)).toMatchObject({ allowed: false, resetSeconds: 66 });
  });
});

describe.each(testEngines)('credential checks on %s', (engine) => {
  let database: TestDatabase;
  let now = EPOCH;
  const app = (env: Record<string, string>) =>
    contractClient(createTestApp(database, { TRUST_PROXY: 'true', ...env }, { clock: () => now }));
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(() => database.close());

  const login = (request: ReturnType<typeof app>, ip: string, email: string, password: string) =>
    request('/v1/auth/login', json({ email, password }, from(ip)));

  it('let no more than the limit through across a window boundary', async () => {
    const request = app({ RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
    const ip = newIp();
    const statuses: number[] = [];
    now = EPOCH + 59_500;
    for (let i = 0; i < 6; i += 1) statuses.push((await login(request, ip, 'a@b.co', 'x')).status);
    now = EPOCH + 60_500; // one second later, in the next fixed window
    let retryAfter = 0;
    for (let i = 0; i < 6; i += 1) {
      const response = await login(request, ip, 'a@b.co', 'x');
      statuses.push(response.status);
      if (response.status === 429) retryAfter = Number(response.headers.get('retry-after'));
    }
    expect(statuses.filter((status) => status !== 429)).toHaveLength(3);
    // 3 × 59.5/60 + 1 ≤ 3 once 20 s of the previous window have slid out of view.
    expect(retryAfter).toBe(20);
    now = EPOCH + 60_000 + 20_000;
    expect((await login(request, ip, 'a@b.co', 'x')).status).toBe(401);
    expect((await login(request, ip, 'a@b.co', 'x')).status).toBe(429);
  });

  it('limit wrong current passwords on PATCH /v1/me per address, then refuse even the right one', async () => {
    const request = app({ RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
    const account = await signUpFrom(request, 'Patcher');
    const ip = newIp();
    const change = (current_password: string) =>
      request('/v1/me', {
        method: 'PATCH',
        body: JSON.stringify({ password: 'a brand new passphrase', current_password }),
        headers: { 'Content-Type': 'application/json', Cookie: account.cookie, ...from(ip) },
      });
    for (let i = 0; i < 3; i += 1) expect((await change('not it at all')).status).toBe(422);
    const limited = await change(account.password);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-policy')).toBe('"login";q=3;w=60');
    // A display name alone checks no password and is not counted.
    const rename = await request('/v1/me', {
      method: 'PATCH',
      body: JSON.stringify({ display_name: 'Renamed' }),
      headers: { 'Content-Type': 'application/json', Cookie: account.cookie, ...from(ip) },
    });
    expect(rename.status).toBe(200);
  });

  it('limit wrong passwords per account from any address, alike for unknown emails', async () => {
    const request = app({ RATE_LIMIT_ACCOUNT_PER_HOUR: '3' });
    const account = await signUpFrom(request, 'Target');
    const nobody = `nobody-${randomUUID()}@example.com`;
    // A right password gives its attempt back: logging in often never locks anyone out.
    for (let i = 0; i < 4; i += 1) {
      expect((await login(request, newIp(), account.email, account.password)).status).toBe(200);
    }
    const answers: Record<string, unknown>[] = [];
    for (const email of [account.email, nobody]) {
      for (let i = 0; i < 3; i += 1) {
        expect((await login(request, newIp(), email, 'guess number i')).status).toBe(401);
      }
      const limited = await login(request, newIp(), email, account.password);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('ratelimit-policy')).toBe('"account";q=3;w=3600');
      const { request_id: _, ...body } = await readProblem(limited);
      answers.push({ ...body, retryAfter: limited.headers.get('retry-after') });
    }
    // The limit says nothing about whether the account exists.
    expect(answers[0]).toEqual(answers[1]);
    now += 60 * MINUTE * 2;
    expect((await login(request, newIp(), account.email, account.password)).status).toBe(200);
  });

  it('limit unknown or revoked API keys per address; a good key still works', async () => {
    const request = app({ RATE_LIMIT_LOGIN_PER_MINUTE: '3' });
    const account = await signUpFrom(request, 'Keyed');
    const good = await createKey(request, account, ['read']);
    const ip = newIp();
    const guess = () => `cr_live_${randomUUID().replaceAll('-', '').padEnd(43, 'x')}`;
    for (let i = 0; i < 3; i += 1) {
      expect((await request('/v1/me', { headers: from(ip, bearer(guess())) })).status).toBe(401);
    }
    const limited = await request('/v1/datasets', { headers: from(ip, bearer(guess())) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"bad-keys";q=3;w=60');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await request('/v1/me', { headers: from(ip, bearer(good.secret)) })).status).toBe(200);
    expect((await request('/v1/me', { headers: from(newIp(), bearer(guess())) })).status).toBe(401);
  });

  it('count sign-ups per address alike, whether the email is taken or not', async () => {
    const request = app({ RATE_LIMIT_LOGIN_PER_MINUTE: '2' });
    const taken = await signUpFrom(request, 'Taken');
    const ip = newIp();
    const signup = (email: string) =>
      request(
        '/v1/auth/signup',
        json({ email, password: 'another passphrase', display_name: 'E' }, from(ip)),
      );
    expect((await signup(taken.email)).status).toBe(409);
    expect((await signup(`free-${randomUUID()}@example.com`)).status).toBe(201);
    const limited = [await signup(taken.email), await signup(`new-${randomUUID()}@example.com`)];
    expect(limited.map((response) => response.status)).toEqual([429, 429]);
  });
});
