import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWrites, LatencyRecorder, percentile, WriteLedger } from './lib/load-figures.ts';
import { repoRoot } from './lib/paths.ts';

describe('the load report', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('counts answers that are neither 2xx nor 3xx as failures, per kind and overall', () => {
    const a = new LatencyRecorder();
    a.record('GET /x', 200, 1);
    a.record('GET /x', 304, 2);
    a.record('POST /y', 503, 9, '{"title":"Service Unavailable"}');
    const b = new LatencyRecorder();
    b.record('GET /x', 404, 3, 'not found');
    a.merge(b);
    const { kinds, overall } = a.figures();
    expect(kinds.map((k) => [k.kind, k.requests, k.failures])).toEqual([
      ['GET /x', 3, 1],
      ['POST /y', 1, 1],
    ]);
    expect(overall).toMatchObject({ requests: 4, failures: 2, p50: 2, p99: 9 });
    expect(overall.samples).toContain('503 {"title":"Service Unavailable"}');
  });

  it('finds an acknowledged write that is missing, stored twice, or one never sent', () => {
    const ledger = new WriteLedger('w-');
    const [one, two, three, inFlight] = [1, 2, 3, 4].map(() => ledger.newTag()) as string[];
    for (const tag of [one, two, three]) ledger.acknowledge(tag as string);
    const stored = new Map([
      [one as string, 3],
      [three as string, 6],
      [inFlight as string, 3],
      ['w-99', 3],
    ]);
    const check = checkWrites(ledger, stored, 3);
    expect(check).toMatchObject({
      acknowledged: 3,
      lost: [two],
      miscounted: [three],
      unknown: ['w-99'],
      storedInFlight: 1,
      storedRecords: 15,
      ok: false,
    });
  });

  it('passes when every acknowledged write is stored once, in-flight ones either way', () => {
    const ledger = new WriteLedger('c-');
    const [done, inFlight, lostInFlight] = [1, 2, 3].map(() => ledger.newTag()) as string[];
    ledger.acknowledge(done as string);
    const check = checkWrites(
      ledger,
      new Map([
        [done as string, 1],
        [inFlight as string, 1],
      ]),
      1,
    );
    expect(check).toMatchObject({ lost: [], storedInFlight: 1, ok: true });
    expect(ledger.sent.has(lostInFlight as string)).toBe(true);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('npm run load, briefly, on PostgreSQL', () => {
  it('drives two instances on one database and finds no error and no lost write', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/load.ts')], {
      env: {
        ...process.env,
        LOAD_SECONDS: '2',
        LOAD_CONNECTIONS: '2',
        LOAD_BASELINE_SECONDS: '1',
        LOAD_DATASET_ROWS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/baseline GET \/health .* req\/s/);
    for (const kind of [
      'GET /v1/datasets/{id}/rows',
      'GET /v1/charts/{id}/data',
      'GET /v1/charts/{id}/image.svg',
      'POST /v1/datasets/{id}/rows',
      'POST /v1/charts',
    ]) {
      expect(output).toContain(kind);
    }
    expect(output).toMatch(/errors: 0 /);
    expect(output).toMatch(/lost writes: 0;/);
    // Some writes were acknowledged, so "nothing lost" means something.
    expect(output).toMatch(/appended rows: [1-9]\d* appends/);
    expect(output).toMatch(/created charts: [1-9]\d* acknowledged/);
    expect(output).toContain('PASS');
  }, 90_000);
});
