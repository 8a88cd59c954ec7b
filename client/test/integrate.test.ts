import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../api/test/support/databases.ts';
import { createChartroomClient, unwrap } from '../src/index.ts';
import { clientRoot, type RunningApi, startApiWithKey } from './support.ts';

/** Runs the README's example as an integrator would: its own process, settings from the environment. */
async function runExample(api: RunningApi): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--conditions=chartroom-source', path.join(clientRoot, 'examples/integrate.ts')],
    {
      cwd: clientRoot,
      env: { ...process.env, CHARTROOM_URL: api.url, CHARTROOM_API_KEY: api.apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the example exited with ${code}:\n${output}`);
  return output;
}

describe.each(testEngines)('the integration guide (client/examples/integrate.ts) on %s', (kind) => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApiWithKey(kind);
  });
  afterAll(() => api?.stop());

  it('creates a dataset from the CSV, appends rows, makes a chart and reads its series', async () => {
    const output = await runExample(api);
    const datasetId = output.match(/^dataset (\S+): 4 rows$/m)?.[1];
    const chartId = output.match(/^chart (\S+)$/m)?.[1];
    expect(datasetId, output).toBeDefined();
    expect(chartId, output).toBeDefined();
    expect(output).toMatch(/^now 6 rows$/m);
    expect(output).toContain('refused: 422');

    // What the script left in the API, read back with the same key.
    const chartroom = createChartroomClient({ baseUrl: api.url, apiKey: api.apiKey });
    const dataset = await unwrap(
      chartroom.GET('/v1/datasets/{id}', { params: { path: { id: datasetId as string } } }),
    );
    expect(dataset.name).toBe('Air quality');
    expect(dataset.row_count).toBe(6);
    expect(dataset.columns.map((column) => [column.name, column.type])).toEqual([
      ['day', 'date'],
      ['city', 'text'],
      ['pm25', 'number'],
    ]);
    const data = await unwrap(
      chartroom.GET('/v1/charts/{id}/data', { params: { path: { id: chartId as string } } }),
    );
    expect(data.type).toBe('line');
    expect(data.series).toEqual([
      {
        name: 'Lyon',
        points: [
          ['2024-01-01', 9.1],
          ['2024-01-02', 8.4],
          ['2024-01-03', 7.9],
        ],
      },
      {
        name: 'Paris',
        points: [
          ['2024-01-01', 12.5],
          ['2024-01-02', 15],
          ['2024-01-03', 11.2],
        ],
      },
    ]);
  });
});
