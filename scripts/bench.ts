// `npm run bench`: measures Chartroom against baselines run side by side on this machine, and
// prints each figure as a ratio to its baseline; then Lighthouse scores of the web pages. Needs
// a PostgreSQL server: DATABASE_URL, or the local one at postgres://postgres@127.0.0.1:5432/test.
// Talks only to 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChartData, type ChartSpec, renderChart } from '@chartroom/charts';
import pg from 'pg';
import { signUpOverHttp, startApiProcess } from './lib/api-process.ts';
import { printLighthouse, runLighthouse } from './lighthouse.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const results: {
  name: string;
  value: string;
  baseline: string;
  ratio: number;
  target: string;
  ok: boolean;
}[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

async function time<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  const categories = [
    'north',
    'south',
    'east',
    'west',
    'alpha',
    'beta',
    'gamma',
    'delta',
    'red',
    'green',
    'blue',
    'grey',
  ];
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
  const start = Date.UTC(2024, 0, 1);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  out.write('ts,category,a,b,c,note\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const ts = new Date(start + i * 30_000).toISOString().replace('.000Z', 'Z');
    const note = `${words[i % 8]} ${words[(i * 7) % 8]} ${i}`;
    chunk += `${ts},${categories[i % 12]},${(random() * 1000).toFixed(2)},${(random() * 50).toFixed(3)},${Math.floor(random() * 10_000)},${note}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise((resolve) => out.once('finish', resolve));
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Sequential keep-alive GETs: latency per request, which is what a CDN miss costs. */
async function hammer(url: string, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<void>((resolve, reject) => {
      httpRequest(url, { agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
  for (let i = 0; i < 200; i++) await once();
  const [ms] = await time(async () => {
    for (let i = 0; i < count; i++) await once();
  });
  agent.destroy();
  return ms / count;
}

async function main() {
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    console.error(
      `The benchmark needs PostgreSQL at ${serverUrl} (set DATABASE_URL): ${(error as Error).message}`,
    );
    process.exit(1);
  }
  const dbName = `chartroom_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const dir = await mkdtemp(path.join(tmpdir(), 'chartroom-bench-'));
  const file = path.join(dir, 'bench.csv');
  const api = await startApiProcess({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    COOKIE_SECURE: 'false',
    RATE_LIMIT_WRITES_PER_MINUTE: '100000',
  });
  const direct = new pg.Client({ connectionString: databaseUrl });
  await direct.connect();
  try {
    console.log(`Generating ${ROWS.toLocaleString('en')} rows…`);
    await writeCsv(file);
    const size = statSync(file).size;
    console.log(`${file}: ${(size / 1e6).toFixed(1)} MB`);

    // Baseline: PostgreSQL's own COPY of the same file into a table of the same types. Both
    // sides run three times, alternating, and the medians are compared: this machine is noisy.
    const copyTimes: number[] = [];
    const importTimes: number[] = [];
    let created: { id: string; row_count: number } = { id: '', row_count: 0 };
    const cookie = await signUpOverHttp(api.url, {
      email: `bench-${dbName}@example.com`,
      password: 'benchmark password',
      display_name: 'Bench',
    });
    for (let round = 0; round < 3; round++) {
      await direct.query('drop table if exists copy_baseline');
      await direct.query(
        'create table copy_baseline (ts timestamptz, category text, a double precision, b double precision, c bigint, note text)',
      );
      const [copyMs] = await time(async () => {
        execFileSync(
          'psql',
          [databaseUrl, '-q', '-c', `\\copy copy_baseline from '${file}' csv header`],
          { stdio: 'inherit' },
        );
      });
      copyTimes.push(copyMs);
      if (created.id) {
        await fetch(`${api.url}/v1/datasets/${created.id}`, {
          method: 'DELETE',
          headers: { Cookie: cookie },
        });
      }
      // The upload is streamed with node:http, the lightest client at hand, as psql streams the file.
      const [importMs, result] = await time(
        () =>
          new Promise<{ id: string; row_count: number }>((resolve, reject) => {
            const upload = httpRequest(
              `${api.url}/v1/datasets?name=bench&visibility=public`,
              { method: 'POST', headers: { 'Content-Type': 'text/csv', Cookie: cookie } },
              (response) => {
                let body = '';
                response.setEncoding('utf8');
                response.on('data', (chunk) => {
                  body += chunk;
                });
                response.on('end', () =>
                  response.statusCode === 201
                    ? resolve(JSON.parse(body))
                    : reject(new Error(`import failed: ${response.statusCode} ${body}`)),
                );
              },
            );
            upload.on('error', reject);
            createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(upload);
          }),
      );
      importTimes.push(importMs);
      created = result;
    }
    const copyMs = median(copyTimes);
    const importMs = median(importTimes);
    if (created.row_count !== ROWS)
      throw new Error(`imported ${created.row_count} rows, expected ${ROWS}`);
    const peakMb = peakRssKb(api.child.pid as number) / 1024;
    results.push({
      name: 'CSV import through the API (median of 3)',
      value: seconds(importMs),
      baseline: `psql \\copy ${seconds(copyMs)} (median of 3)`,
      ratio: copyMs / importMs,
      target: 'speed ≥ 0.5× COPY',
      ok: copyMs / importMs >= 0.5,
    });

    // Aggregate: day buckets × category, avg and count; through the API vs the same SQL direct.
    const query = {
      group_by: [{ column: 'ts', bucket: 'day' }, { column: 'category' }],
      metrics: [{ op: 'avg', column: 'a' }, { op: 'count' }],
      limit: 10_000,
    };
    const { rows: tables } = await direct.query<{ table_name: string }>(
      'select table_name from datasets where id = $1',
      [created.id],
    );
    const table = tables[0]?.table_name as string;
    const rawSql = `select to_char(date_trunc('day', c1, 'UTC') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), c2, avg(c3)::double precision, count(*) from "${table}" group by 1, 2 order by 1, 2 limit 10000`;
    const apiTimes: number[] = [];
    const sqlTimes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const [sqlMs] = await time(() => direct.query(rawSql));
      sqlTimes.push(sqlMs);
      const [apiMs] = await time(async () => {
        const response = await fetch(`${api.url}/v1/datasets/${created.id}/query`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(query),
        });
        if (!response.ok)
          throw new Error(`query failed: ${response.status} ${await response.text()}`);
        await response.json();
      });
      apiTimes.push(apiMs);
    }
    const apiQuery = median(apiTimes);
    const sqlQuery = median(sqlTimes);
    results.push({
      name: 'Aggregate query through the API (median of 7)',
      value: `${apiQuery.toFixed(0)} ms`,
      baseline: `same SQL direct ${sqlQuery.toFixed(0)} ms`,
      ratio: apiQuery / sqlQuery,
      target: 'time ≤ 1.5× SQL',
      ok: apiQuery / sqlQuery <= 1.5,
    });

    // The shared renderer against the query it draws: 12 series of daily averages, 2,000 points.
    const chartResponse = await fetch(`${api.url}/v1/charts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: JSON.stringify({
        dataset_id: created.id,
        title: 'Daily average by category',
        spec: {
          type: 'line',
          x: { column: 'ts', bucket: 'day' },
          y: [{ column: 'a', aggregate: 'avg' }],
          series: { column: 'category', max: 12 },
        },
      }),
    });
    if (!chartResponse.ok) throw new Error(`chart failed: ${await chartResponse.text()}`);
    const chart = (await chartResponse.json()) as { id: string; spec: ChartSpec; title: string };
    const dataTimes: number[] = [];
    const renderTimes: number[] = [];
    let points = 0;
    for (let i = 0; i < 7; i++) {
      const [dataMs, data] = await time(async () => {
        const response = await fetch(`${api.url}/v1/charts/${chart.id}/data?max_points=2000`, {
          headers: { Cookie: cookie },
        });
        if (!response.ok) throw new Error(`chart data failed: ${await response.text()}`);
        return (await response.json()) as ChartData;
      });
      dataTimes.push(dataMs);
      points = data.series.reduce((n, s) => n + s.points.length, 0);
      const [renderMs] = await time(async () =>
        renderChart(chart.spec, data, { width: 960, height: 540, title: chart.title }),
      );
      renderTimes.push(renderMs);
    }
    const renderMs = median(renderTimes);
    const dataMs = median(dataTimes);
    results.push({
      name: `Chart drawn by the renderer, ${points.toLocaleString('en')} points in 12 series (median of 7)`,
      value: `${renderMs.toFixed(1)} ms`,
      baseline: `its /data query ${dataMs.toFixed(0)} ms`,
      ratio: renderMs / dataMs,
      target: 'time ≤ 0.25× the query',
      ok: renderMs / dataMs <= 0.25,
    });

    // API overhead: /health against a bare Node HTTP server answering the same bytes.
    const bare = createServer((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    const bareMs = await hammer(bareUrl, 3000);
    const healthMs = await hammer(`${api.url}/health`, 3000);
    bare.close();
    results.push({
      name: 'GET /health latency (sequential, keep-alive)',
      value: `${(healthMs * 1000).toFixed(0)} µs`,
      baseline: `bare node:http ${(bareMs * 1000).toFixed(0)} µs`,
      ratio: healthMs / bareMs,
      target: 'reported',
      ok: true,
    });

    console.log(
      `\nChartroom benchmark — ${ROWS.toLocaleString('en')} rows, ${(size / 1e6).toFixed(1)} MB CSV, PostgreSQL at ${url.host}`,
    );
    for (const r of results) {
      console.log(
        `  ${r.ok ? 'ok  ' : 'MISS'} ${r.name}: ${r.value} vs ${r.baseline} → ratio ${r.ratio.toFixed(2)} (${r.target})`,
      );
    }
    console.log(
      `  info API process peak memory (VmHWM) after the import: ${peakMb.toFixed(0)} MB for a ${(size / 1e6).toFixed(0)} MB file`,
    );
  } finally {
    await direct.end();
    await api.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
// The web's scores, on its own stack (embedded database with the sample data).
printLighthouse(await runLighthouse());
