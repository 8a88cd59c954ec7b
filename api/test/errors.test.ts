import { createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemResponses } from '../src/lib/problem.ts';
import { createTestApp } from './support/app.ts';
import { contractClient, readProblem } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';

// A route that exists only in this test, to exercise the shared validation and error handling
// through every input location at once.
const echo = createRoute({
  method: 'post',
  path: '/test/echo/{id}',
  request: {
    params: z.object({ id: z.coerce.number().int() }),
    query: z.object({ limit: z.coerce.number().int().max(10).optional() }),
    headers: z.object({ 'x-tenant': z.string().min(2) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({ email: z.email(), tags: z.array(z.string()).optional() }),
        },
      },
    },
  },
  responses: {
    200: { description: 'ok', content: { 'application/json': { schema: z.object({}) } } },
    ...problemResponses(422),
  },
});

const LIMIT = 4096;

describe('errors are problem documents', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    app = createTestApp(database, { BODY_LIMIT_BYTES: String(LIMIT) });
    app.openapi(echo, (c) => c.json({}, 200));
    app.get('/test/boom', () => {
      throw new Error('secret detail at /srv/app/db.ts: select * from users');
    });
    // A PostgreSQL data exception no input check caught, as the drivers throw it.
    app.get('/test/out-of-range', () => {
      throw Object.assign(new Error('"1e-400" is out of range for type double precision'), {
        code: '22003',
      });
    });
  });
  afterAll(() => database.close());

  const post = (body: string, headers: Record<string, string> = {}, path = '/test/echo/7') =>
    app.request(path, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'X-Tenant': 'acme', ...headers },
    });

  it('accepts a valid request', async () => {
    expect((await post('{"email":"a@b.co"}')).status).toBe(200);
  });

  it('an unknown route answers 404 problem+json', async () => {
    const response = await contractClient(app)('/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await readProblem(response)).toMatchObject({
      type: 'https://chartroom.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'There is no route for GET /v1/nothing-here.',
      instance: '/v1/nothing-here',
    });
  });

  it('invalid input answers 422 with FastAPI-style errors located in body, query, path and header', async () => {
    const response = await post('{"tags":[1]}', { 'X-Tenant': 'a' }, '/test/echo/seven?limit=99');
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const body = await readProblem(response);
    expect(body.type).toBe('https://chartroom.dev/problems/validation-error');
    // Hono validates one location at a time (query, path, header, then body); fix one and the
    // next answers.
    expect(body.errors).toEqual([
      { loc: ['query', 'limit'], msg: expect.stringContaining('10'), type: 'too_big' },
    ]);
    const path = await readProblem(await post('{}', {}, '/test/echo/seven'));
    expect(path.errors).toEqual([
      { loc: ['path', 'id'], msg: expect.any(String), type: 'invalid_type' },
    ]);
    const header = await readProblem(await post('{}', { 'X-Tenant': 'a' }));
    expect(header.errors?.[0]?.loc).toEqual(['header', 'x-tenant']);
    const bodyErrors = await readProblem(await post('{"tags":[1]}'));
    expect(bodyErrors.errors).toEqual([
      { loc: ['body', 'email'], msg: 'Field required', type: 'missing' },
      { loc: ['body', 'tags', 0], msg: expect.any(String), type: 'invalid_type' },
    ]);
    expect(bodyErrors.detail).toBe('2 fields are invalid: body.email, body.tags.0');
  });

  it('answers 405 with Allow for a method a known path does not take', async () => {
    const cases: [string, string, string][] = [
      [
        'PUT',
        '/v1/charts/0b9c7f4e-3f5e-4c2e-9a51-7d1f6a3e2b10',
        'GET, PATCH, DELETE, HEAD, OPTIONS',
      ],
      ['PUT', '/v1/charts/preview', 'POST, OPTIONS'],
      ['POST', '/health', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/datasets', 'GET, POST, HEAD, OPTIONS'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await app.request(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await readProblem(response)).detail).toContain(method);
    }
    expect((await app.request('/v1/nothing', { method: 'PUT' })).status).toBe(404);
  });

  it("words the validator's refusals as a form would, never in zod's terms", async () => {
    const signup = await app.request('/v1/auth/signup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email":"ada@example.com","password":"a long enough passphrase","display_name":""}',
    });
    expect((await readProblem(signup)).errors).toEqual([
      { loc: ['body', 'display_name'], msg: 'must not be empty', type: 'too_small' },
    ]);
    const limit = await app.request('/v1/datasets?limit=1000');
    expect((await readProblem(limit)).errors?.[0]?.msg).toBe('must be at most 100');
    const kind = await app.request('/v1/datasets?mine=perhaps');
    expect((await readProblem(kind)).errors?.[0]?.msg).not.toMatch(/expected|Invalid|>=|<=/);
    const id = await app.request('/v1/charts/not-a-uuid');
    expect((await readProblem(id)).errors?.[0]?.msg).toBe('must be a UUID');
  });

  it('counts fields, not broken rules, in the detail', async () => {
    const response = await app.request('/v1/auth/signup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email":"x","password":"a","display_name":""}',
    });
    const problem = await readProblem(response);
    expect(problem.errors?.length).toBeGreaterThan(3);
    expect(problem.detail).toBe(
      '3 fields are invalid: body.email, body.password, body.display_name',
    );
    const one = await app.request('/v1/auth/signup', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email":"ada@example.com","password":"a","display_name":"Ada"}',
    });
    const detail = (await readProblem(one)).detail;
    expect(detail).toMatch(/^body\.password: .+; .+/);
  });

  it('malformed JSON answers 422 json_invalid', async () => {
    const response = await post('{"email": ');
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors).toEqual([
      { loc: ['body'], msg: 'The body is not valid JSON.', type: 'json_invalid' },
    ]);
  });

  it('a required body that is missing or empty answers 422 naming the body', async () => {
    for (const headers of [{}, { 'Content-Type': 'application/json' }]) {
      const response = await app.request('/test/echo/7', {
        method: 'POST',
        headers: { 'X-Tenant': 'acme', ...headers },
      });
      expect(response.status, JSON.stringify(headers)).toBe(422);
      expect((await readProblem(response)).errors).toEqual([
        { loc: ['body'], msg: 'Field required', type: 'missing' },
      ]);
    }
  });

  it('a NUL character in a query parameter or anywhere in a JSON body answers 422 naming each place', async () => {
    const response = await post(
      JSON.stringify({ email: 'a@b.co', tags: ['fine', 'a\u0000b'], 'k\u0000': 1 }),
      {},
      '/test/echo/7?limit=1%00',
    );
    expect(response.status).toBe(422);
    expect((await readProblem(response)).errors).toEqual([
      { loc: ['query', 'limit'], msg: expect.stringContaining('NUL'), type: 'string_nul' },
      { loc: ['body', 'tags', 1], msg: expect.stringContaining('NUL'), type: 'string_nul' },
      { loc: ['body', 'k\u0000'], msg: expect.stringContaining('NUL'), type: 'string_nul' },
    ]);
  });

  it('a body that is not JSON answers 415', async () => {
    const response = await post('email=a@b.co', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await readProblem(response)).detail).toContain('application/json');
  });

  it('a body over the configured limit answers 413', async () => {
    const response = await post(JSON.stringify({ email: 'a@b.co', pad: 'x'.repeat(LIMIT) }));
    expect(response.status).toBe(413);
    expect(await readProblem(response)).toMatchObject({
      status: 413,
      title: 'Request body too large',
    });
  });

  it('an unexpected exception answers 500 with a request id and nothing internal', async () => {
    const response = await app.request('/test/boom', { headers: { 'X-Request-Id': 'trace-123' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, request_id: 'trace-123' });
    expect(text).not.toMatch(/secret|select|\/srv|at .*\.ts/);
  });

  it('a database data exception (SQLSTATE class 22) answers 422 in words, not 500', async () => {
    const response = await app.request('/test/out-of-range');
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await readProblem(response);
    expect(problem.detail).toMatch(/out of range for its column/);
    expect(problem.detail).not.toMatch(/double precision|1e-400/);
  });
});

describe('middleware', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    app = createTestApp(database, { CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => database.close());

  it('gives every response a request id, and keeps one the client sent', async () => {
    const generated = await app.request('/health');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await app.request('/health', { headers: { 'X-Request-Id': 'abc-1' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-1');
  });

  it('allows credentialed CORS for allow-listed origins only', async () => {
    const preflight = await app.request('/health', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(preflight.headers.get('vary')).toContain('Origin');
    const stranger = await app.request('/health', { headers: { Origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const strangerPreflight = await app.request('/v1/datasets', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(strangerPreflight.headers.get('access-control-allow-origin')).toBeNull();
    // Every kind of answer carries them: a page, a problem, and headers read by a browser.
    for (const path of ['/health', '/v1/nothing-here', '/v1/charts/not-a-uuid']) {
      const answer = await app.request(path, { headers: { Origin: 'https://app.example.com' } });
      expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(answer.headers.get('access-control-expose-headers')).toContain('ETag');
      expect(answer.headers.get('vary')).toContain('Origin');
    }
  });

  it('sends security headers', async () => {
    const response = await app.request('/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    for (const path of ['/v1/nothing-here', '/openapi.json']) {
      const other = await app.request(path);
      expect(other.headers.get('x-content-type-options')).toBe('nosniff');
      expect(other.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
    }
    // The docs page brings its own policy, which replaces the API's.
    const docs = await app.request('/docs');
    expect(docs.headers.get('content-security-policy')).not.toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(docs.headers.get('content-security-policy')).toContain('script-src');
  });
});
