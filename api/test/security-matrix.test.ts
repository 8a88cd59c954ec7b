import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, signUp } from './support/accounts.ts';
import { createTestApp } from './support/app.ts';
import { contractClient } from './support/contract.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';

// Every protected operation comes from the committed contract itself: one added later is
// covered without touching this file.
const document = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../openapi/v1.json'), 'utf8'),
) as { paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>> };

const protectedOperations = Object.entries(document.paths).flatMap(([template, item]) =>
  Object.entries(item)
    // Protected: some security requirement, and not the empty one that makes credentials optional.
    .filter(([, operation]) => {
      const security = (operation.security ?? []) as object[];
      return (
        security.length > 0 && security.every((requirement) => Object.keys(requirement).length > 0)
      );
    })
    .map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${template} (${operation.operationId})`,
      method: method.toUpperCase(),
      path: template.replace(/\{[^}]+\}/g, () => randomUUID()),
    })),
);

describe('every operation that declares a security requirement', () => {
  let database: TestDatabase;
  let request: ReturnType<typeof contractClient>;
  let readKey: string;
  let revokedKey: string;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    request = contractClient(createTestApp(database));
    const account = await signUp(request, 'Matrix');
    readKey = (await createKey(request, account, ['read'])).secret;
    const revoked = await createKey(request, account, ['read', 'write']);
    await request(`/v1/api-keys/${revoked.id}`, {
      method: 'DELETE',
      headers: { Cookie: account.cookie },
    });
    revokedKey = revoked.secret;
  });
  afterAll(() => database.close());

  it('exists in the contract', () => {
    expect(protectedOperations.length).toBeGreaterThan(0);
  });

  const call = (op: (typeof protectedOperations)[number], headers: Record<string, string>) =>
    request(op.path, {
      method: op.method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: '{}' }),
    });

  it.each(protectedOperations)('$name: no credentials → 401 with WWW-Authenticate', async (op) => {
    const response = await call(op, {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="chartroom"/);
  });

  it.each(protectedOperations)('$name: a revoked key → 401', async (op) => {
    expect((await call(op, bearer(revokedKey))).status).toBe(401);
  });

  it.each(protectedOperations.filter((op) => op.method !== 'GET'))(
    '$name: a read-only key → 403',
    async (op) => {
      expect((await call(op, bearer(readKey))).status).toBe(403);
    },
  );
});
