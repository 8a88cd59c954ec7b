import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../api/src/openapi.ts';
import { generateClientTypes } from './lib/client-types.ts';
import { findBreakingChanges } from './lib/openapi-breaking.ts';
import { clientTypesPath, contractPath, releasedContractPath, repoRoot } from './lib/paths.ts';

const committed = readFileSync(contractPath, 'utf8');

describe('the committed contract', () => {
  it('is exactly what the route definitions generate', () => {
    const generated = serializeOpenApiDocument(buildOpenApiDocument());
    if (generated !== committed) {
      expect.fail(
        'openapi/v1.json differs from the routes. Run `npm run openapi` and commit openapi/v1.json and client/src/schema.ts.',
      );
    }
  });

  it('breaks nothing in the last released v1 contract', () => {
    const released = JSON.parse(readFileSync(releasedContractPath, 'utf8'));
    const messages = findBreakingChanges(released, JSON.parse(committed)).map((c) => c.message);
    expect(messages, 'breaking changes against openapi/v1.released.json').toEqual([]);
  });

  it.each([path.relative(repoRoot, clientTypesPath)])(
    'has generated %s, the types the clients are built with',
    async (file) => {
      const generated = await generateClientTypes(committed);
      if (generated !== readFileSync(path.join(repoRoot, file), 'utf8')) {
        expect.fail(
          `${file} is stale. Run \`npm run gen\` (or \`npm run openapi\`) and commit it.`,
        );
      }
    },
  );

  it('gives every operation an operationId, a tag, a summary and documented errors', () => {
    const document = JSON.parse(committed);
    for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(
      document.paths,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, where).toBeTypeOf('string');
        expect(operation.summary, where).toBeTypeOf('string');
        expect((operation.tags as string[] | undefined)?.length, where).toBeGreaterThan(0);
        const responses = operation.responses as Record<string, { content?: object }>;
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) >= 400) {
            expect(Object.keys(response.content ?? {}), `${where} ${status}`).toEqual([
              'application/problem+json',
            ]);
          }
        }
      }
    }
  });
});
