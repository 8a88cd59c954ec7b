import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER, diffContracts, diffMarkdown } from './openapi-diff.ts';
import { repoRoot } from './paths.ts';

type Json = Record<string, unknown>;

const thing = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' } },
  required: ['id', 'name'],
};

const json = (schema: Json) => ({ content: { 'application/json': { schema } } });

/** A small contract: things can be listed and created, and each has a name. */
function base(): Json {
  return {
    openapi: '3.1.0',
    info: { title: 'fixture', version: '1' },
    paths: {
      '/things': {
        get: {
          operationId: 'listThings',
          summary: 'List things',
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }],
          responses: { '200': { description: 'ok', ...json({ type: 'array', items: thing }) } },
        },
        post: {
          operationId: 'createThing',
          summary: 'Create a thing',
          requestBody: {
            required: true,
            ...json({ type: 'object', properties: { name: { type: 'string' } } }),
          },
          responses: {
            '201': { description: 'created', ...json({ $ref: '#/components/schemas/Thing' }) },
            '422': { description: 'invalid' },
          },
        },
        delete: {
          operationId: 'deleteThings',
          summary: 'Delete every thing',
          responses: { '204': { description: 'gone' } },
        },
      },
    },
    components: { schemas: { Thing: thing } },
  };
}

/** The pull request: one operation added, one removed, one changed in a breaking way. */
function head(): Json {
  const next = structuredClone(base()) as {
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const things = next.paths['/things'] as Record<string, Json>;
  delete things.delete;
  const create = things.post as { requestBody: Json; responses: Record<string, Json> };
  create.requestBody = {
    required: true,
    ...json({
      type: 'object',
      properties: { name: { type: 'string' }, colour: { type: 'string' } },
      required: ['colour'],
    }),
  };
  create.responses['409'] = { description: 'conflict' };
  next.paths['/things/{id}'] = {
    get: {
      operationId: 'getThing',
      summary: 'Get one thing',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'ok', ...json({ $ref: '#/components/schemas/Thing' }) } },
    },
  };
  return next;
}

describe('diffMarkdown(diffContracts(base, head))', () => {
  it('lists the breaking changes, then the added, changed and removed operations', () => {
    expect(diffMarkdown(diffContracts(base(), head()))).toBe(
      [
        COMMENT_MARKER,
        '### API contract changes (`openapi/v1.json`)',
        '',
        '1 operation added · 1 changed · 1 removed · 2 breaking changes',
        '',
        '#### Breaking changes (2)',
        '',
        'Clients written against the base branch would fail on these:',
        '',
        '- POST /things request: request field `colour` is now required (`request-field-now-required`)',
        '- DELETE /things was removed (`operation-removed`)',
        '',
        '#### Added operations (1)',
        '',
        '- `GET /things/{id}` `getThing`: Get one thing',
        '',
        '#### Changed operations (1)',
        '',
        '- `POST /things` `createThing`: Create a thing',
        '  - request body changed (content)',
        '  - response 409 added',
        '',
        '#### Removed operations (1)',
        '',
        '- `DELETE /things` `deleteThings`: Delete every thing',
        '',
      ].join('\n'),
    );
  });

  it('says so when the contract did not change', () => {
    const markdown = diffMarkdown(diffContracts(base(), base()));
    expect(markdown).toBe(
      `${COMMENT_MARKER}\n### API contract changes (\`openapi/v1.json\`)\n\nNo changes to the API contract.\n`,
    );
  });

  it('sees a change to a shared schema in every operation that uses it', () => {
    const next = base() as { components: { schemas: Record<string, Json> } };
    next.components.schemas.Thing = {
      ...thing,
      properties: { ...thing.properties, size: { type: 'number' } },
    };
    const diff = diffContracts(base(), next as Json);
    expect(diff.changed.map((op) => [op.where, op.changes])).toEqual([
      ['POST /things', ['response 201 changed (content)']],
    ]);
    expect(diff.breaking).toEqual([]);
  });

  it('compares recursive schemas without looping', () => {
    const tree = (extra: Json) => {
      const document = base() as { components: { schemas: Record<string, Json> } };
      document.components.schemas.Thing = {
        type: 'object',
        properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } },
        ...extra,
      };
      return document as Json;
    };
    const diff = diffContracts(tree({}), tree({ description: 'a tree' }));
    expect(diff.changed.map((op) => op.where)).toEqual(['POST /things']);
  });

  it('lists path-level parameters with each operation, and what changed in them', () => {
    const withPathParameter = (type: string) => {
      const document = base() as { paths: Record<string, Json> };
      (document.paths['/things'] as Json).parameters = [
        { name: 'X-Tenant', in: 'header', schema: { type } },
      ];
      return document as Json;
    };
    const diff = diffContracts(withPathParameter('string'), withPathParameter('integer'));
    expect(diff.changed.map((op) => op.changes)).toEqual([
      ['header parameter `X-Tenant` changed (schema)'],
      ['header parameter `X-Tenant` changed (schema)'],
      ['header parameter `X-Tenant` changed (schema)'],
    ]);
  });
});

describe('node scripts/openapi-diff.ts', () => {
  it('treats a missing base contract as empty: every operation is new', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'openapi-diff-'));
    try {
      const headFile = path.join(dir, 'head.json');
      await writeFile(headFile, JSON.stringify(base()));
      const { stdout } = await promisify(execFile)(process.execPath, [
        path.join(repoRoot, 'scripts/openapi-diff.ts'),
        path.join(dir, 'missing.json'),
        headFile,
      ]);
      expect(stdout).toContain('3 operations added · 0 changed · 0 removed · 0 breaking changes');
      expect(stdout).toContain('- `GET /things` `listThings`: List things');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
