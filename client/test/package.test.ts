import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../api/test/support/databases.ts';
import { clientRoot, type RunningApi, repoRoot, startApiWithKey } from './support.ts';

type ClientModule = typeof import('../src/index.ts');

const tscPath = createRequire(import.meta.url).resolve('typescript/bin/tsc');

async function tsc(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [tscPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`tsc ${args.join(' ')} failed (${code}):\n${output}`);
}

// A consumer of the built package in strict TypeScript: the contract's types reach it, and a
// path the contract does not have is an error, so the types are not `any`.
const consumer = `
import { ChartroomError, createChartroomClient, unwrap } from './index.js';
const chartroom = createChartroomClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'cr_live_x' });
export async function rowCount(id: string): Promise<number> {
  const dataset = await unwrap(chartroom.GET('/v1/datasets/{id}', { params: { path: { id } } }));
  return dataset.row_count;
}
export async function upload(): Promise<string> {
  return (await chartroom.uploadCsv('a,b\\n1,2\\n', { name: 'x', visibility: 'public' })).id;
}
export const fields = (error: ChartroomError) => error.errors.map((item) => item.loc.join('.'));
// @ts-expect-error the contract has no such path
chartroom.GET('/v1/nothing-here');
`;

describe('the @chartroom/client package', () => {
  // Under node_modules, so that the built files find openapi-fetch as an installed package would.
  let outDir: string;
  let built: ClientModule;
  beforeAll(async () => {
    await mkdir(path.join(repoRoot, 'node_modules/.cache'), { recursive: true });
    outDir = await mkdtemp(path.join(repoRoot, 'node_modules/.cache/chartroom-client-build-'));
    await tsc(['-p', path.join(clientRoot, 'tsconfig.json'), '--outDir', outDir]);
    built = await import(pathToFileURL(path.join(outDir, 'index.js')).href);
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('builds with tsc to ES modules and declarations where its exports point', async () => {
    const manifest = JSON.parse(await readFile(path.join(clientRoot, 'package.json'), 'utf8'));
    const targets = [manifest.types, manifest.exports['.'].types, manifest.exports['.'].default];
    for (const target of targets) {
      expect(target, 'a published entry point lies in dist/').toMatch(/^\.\/dist\//);
      const file = path.join(outDir, target.replace(/^\.\/dist\//, ''));
      expect(existsSync(file), `${target} after the build`).toBe(true);
    }
    expect(Object.keys(built).sort()).toEqual([
      'ChartroomError',
      'createChartroomClient',
      'unwrap',
    ]);
    expect(manifest.dependencies).toHaveProperty('openapi-fetch');
  });

  it('types a strict consumer from the contract', async () => {
    await writeFile(path.join(outDir, 'consumer.ts'), consumer);
    await writeFile(
      path.join(outDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: [],
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    await tsc(['-p', path.join(outDir, 'tsconfig.json')]);
  });

  it('turns an answer that is not a problem document (a proxy page) into a ChartroomError', async () => {
    const seen: Request[] = [];
    const chartroom = built.createChartroomClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'cr_live_example',
      fetch: async (request) => {
        seen.push(request);
        return new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
      },
    });
    const failure = await built.unwrap(chartroom.GET('/v1/me')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(built.ChartroomError);
    expect(failure).toMatchObject({
      status: 502,
      type: 'about:blank',
      title: 'Bad Gateway',
      detail: '<html>Bad gateway</html>',
      errors: [],
    });
    expect(seen[0]?.headers.get('Authorization')).toBe('Bearer cr_live_example');
  });

  it('says in its message which fields are wrong, once each', () => {
    const error = new built.ChartroomError({
      type: 'https://chartroom.dev/problems/validation-error',
      title: 'Invalid input',
      status: 422,
      detail: 'body.name: Field required',
      errors: [
        { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'rows', 2, 'day'], msg: 'Not a date', type: 'type_mismatch' },
      ],
    });
    expect(error.message).toBe(
      '422 Invalid input: body.name: Field required\n  body.rows.2.day: Not a date',
    );
  });

  describe.each(testEngines)('against the API on %s', (kind) => {
    let api: RunningApi;
    beforeAll(async () => {
      api = await startApiWithKey(kind);
    });
    afterAll(() => api?.stop());

    it('surfaces a 422 as a ChartroomError naming each wrong field', async () => {
      const chartroom = built.createChartroomClient({ baseUrl: api.url, apiKey: api.apiKey });
      const failure = await built
        .unwrap(
          chartroom.POST('/v1/charts', {
            body: {
              dataset_id: '00000000-0000-4000-8000-000000000000',
              title: '',
              spec: { type: 'line', x: { column: 'day' } },
            },
          }),
        )
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(built.ChartroomError);
      const error = failure as InstanceType<ClientModule['ChartroomError']>;
      expect(error.status).toBe(422);
      expect(error.type).toMatch(/validation/);
      expect(error.title).toBeTypeOf('string');
      expect(error.detail).toBeTypeOf('string');
      expect(error.errors.map((item) => item.loc)).toContainEqual(['body', 'title']);
      expect(error.requestId).toBeTypeOf('string');
      expect(error.message).toContain('body.title');
    });

    it('throws the line of a bad CSV row as a ChartroomError', async () => {
      const chartroom = built.createChartroomClient({ baseUrl: api.url, apiKey: api.apiKey });
      const failure = await chartroom
        .uploadCsv('a,b\n1,2\n3\n', { name: 'Ragged' })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(built.ChartroomError);
      expect(failure).toMatchObject({ status: 422 });
      expect((failure as Error).message).toMatch(/line 3/);
    });

    it('uploads a CSV given as text, bytes, a Blob, a web stream or an async iterable', async () => {
      const chartroom = built.createChartroomClient({ baseUrl: api.url, apiKey: api.apiKey });
      const csv = 'city,pm25\nParis,12.5\nLyon,9.1\n';
      const bytes = new TextEncoder().encode(csv);
      async function* chunks() {
        yield 'city,pm25\nPar';
        yield new TextEncoder().encode('is,12.5\nLyon,9.1\n');
      }
      const bodies = {
        text: csv,
        bytes,
        blob: new Blob([csv]),
        stream: new Blob([csv]).stream(),
        iterable: chunks(),
      };
      for (const [kindOfBody, body] of Object.entries(bodies)) {
        const dataset = await chartroom.uploadCsv(body, {
          name: `From ${kindOfBody}`,
          type: ['pm25:text'],
        });
        expect([kindOfBody, dataset.row_count, dataset.columns.map((c) => c.type)]).toEqual([
          kindOfBody,
          2,
          ['text', 'text'],
        ]);
        const appended = await chartroom.appendCsv(dataset.id, 'city,pm25\nNice,8\n');
        expect(appended).toEqual({ appended: 1, row_count: 3 });
      }
    });
  });
});
