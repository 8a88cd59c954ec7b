import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.ts';
import { openTestDatabase, type TestDatabase } from '../../test/support/databases.ts';

const committed = readFileSync(
  path.resolve(import.meta.dirname, '../../../openapi/v1.json'),
  'utf8',
);

describe('the API describes itself', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createTestApp>;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    app = createTestApp(database);
  });
  afterAll(() => database.close());

  it('GET /openapi.json serves exactly the committed contract', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(committed));
  });

  it.each(['/docs', '/redoc'])(
    '%s loads every script and style from the API itself',
    async (page) => {
      const response = await app.request(page);
      expect(response.status).toBe(200);
      const html = await response.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(sources.length).toBeGreaterThan(1);
      for (const source of sources) {
        expect(source.startsWith('/'), source).toBe(true);
        expect((await app.request(source)).status, source).toBe(200);
      }
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/https?:|unsafe-eval/);
    },
  );

  it('serves only the docs assets it lists, nothing else from node_modules', async () => {
    const response = await app.request('/docs/assets/..%2F..%2Fpackage.json');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
