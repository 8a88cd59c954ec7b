// `npm run bench`: measures Chartroom against baselines run side by side on this machine, and
// prints one table: each figure, its baseline, their ratio and the target; then exits 1 if a
// target was missed. Lighthouse scores of the web pages are part of it. Needs a PostgreSQL
// server: DATABASE_URL, or the local one at postgres://postgres@127.0.0.1:5432/test; and two
// cores: the API and the baseline servers run on core 0, the load generator on core 1.
// Talks only to 127.0.0.1. BENCH_ROWS sets the dataset's size (1,000,000 unless told).
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChartData, type ChartSpec, renderChart } from '@chartroom/charts';
import pg from 'pg';
import { type ApiProcess, signUpOverHttp, startApiProcess } from './lib/api-process.ts';
import {
  assertSameAnswer,
  type BaselineProcess,
  recordAnswer,
  startBaseline,
} from './lib/baselines.ts';
import type { BenchContext } from './lib/bench-context.ts';
import { importFigures, writeCsv } from './lib/bench-import.ts';
import { hammer, json, median, millis, procMemoryMb, sleep, time } from './lib/bench-measure.ts';
import { printTable } from './lib/bench-table.ts';
import { throughputFigures } from './lib/bench-throughput.ts';
import { chartViewFigures } from './lib/chart-views.ts';
import { lighthouseFigures } from './lib/lighthouse-figures.ts';
import { rowPageFigures } from './lib/row-pages.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mb = (value: number) => `${value.toFixed(0)} MB`;

/** Aggregate: day buckets × category, avg and count; through the API vs the same SQL direct. */
async function aggregateFigures(ctx: BenchContext, datasetId: string, table: string) {
  const query = {
    group_by: [{ column: 'ts', bucket: 'day' }, { column: 'category' }],
    metrics: [{ op: 'avg', column: 'a' }, { op: 'count' }],
    limit: 10_000,
  };
  const rawSql = `select to_char(date_trunc('day', c1, 'UTC') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), c2, avg(c3)::double precision, count(*) from "${table}" group by 1, 2 order by 1, 2 limit 10000`;
  const apiTimes: number[] = [];
  const sqlTimes: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [sqlMs] = await time(() => ctx.direct.query(rawSql));
    sqlTimes.push(sqlMs);
    const [apiMs] = await time(() =>
      json(`${ctx.apiUrl}/v1/datasets/${datasetId}/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(query),
      }),
    );
    apiTimes.push(apiMs);
  }
  const apiMs = median(apiTimes);
  const sqlMs = median(sqlTimes);
  ctx.figures.push({
    name: 'Aggregate query through the API (median of 7)',
    value: millis(apiMs),
    baseline: `same SQL direct ${millis(sqlMs)}`,
    ratio: apiMs / sqlMs,
    target: 'time ≤ 1.5× SQL',
    ok: apiMs / sqlMs <= 1.5,
  });
}

/** The shared renderer against the query it draws: 12 series of daily averages. */
async function rendererFigures(ctx: BenchContext, datasetId: string): Promise<string> {
  // Public, so that the chart's reads can be measured anonymously, as a visitor makes them.
  const chart = await json<{ id: string; spec: ChartSpec; title: string }>(
    `${ctx.apiUrl}/v1/charts`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: ctx.cookie },
      body: JSON.stringify({
        dataset_id: datasetId,
        title: 'Daily average by category',
        visibility: 'public',
        spec: {
          type: 'line',
          x: { column: 'ts', bucket: 'day' },
          y: [{ column: 'a', aggregate: 'avg' }],
          series: { column: 'category', max: 12 },
        },
      }),
      expected: 201,
    },
  );
  const dataTimes: number[] = [];
  const renderTimes: number[] = [];
  let points = 0;
  for (let i = 0; i < 7; i++) {
    // A max_points of its own each time: a miss of the answer cache, so the query is measured.
    const [dataMs, data] = await time(() =>
      json<ChartData>(`${ctx.apiUrl}/v1/charts/${chart.id}/data?max_points=${2000 + i}`, {
        headers: { Cookie: ctx.cookie },
      }),
    );
    dataTimes.push(dataMs);
    points = data.series.reduce((n, s) => n + s.points.length, 0);
    const [renderMs] = await time(async () =>
      renderChart(chart.spec, data, { width: 960, height: 540, title: chart.title }),
    );
    renderTimes.push(renderMs);
  }
  const renderMs = median(renderTimes);
  const dataMs = median(dataTimes);
  ctx.figures.push({
    name: `Renderer, ${points.toLocaleString('en')} points in 12 series (median of 7)`,
    value: millis(renderMs),
    baseline: `its /data query ${millis(dataMs)}`,
    ratio: renderMs / dataMs,
    target: 'time ≤ 0.25× the query',
    ok: renderMs / dataMs <= 0.25,
  });
  return chart.id;
}

/** An API key of the bench account (made with its session, as the account page does). */
async function apiKeyOf(ctx: BenchContext): Promise<{ secret: string; userId: string }> {
  const key = await json<{ secret: string }>(`${ctx.apiUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: ctx.cookie },
    body: JSON.stringify({ name: 'bench', scopes: ['read'] }),
    expected: 201,
  });
  const me = await json<{ id: string }>(`${ctx.apiUrl}/v1/me`, {
    headers: { Authorization: `Bearer ${key.secret}` },
  });
  return { secret: key.secret, userId: me.id };
}

/** Idle memory: the API after startup and a short settle, beside a bare Node server's. */
async function idleMemory(ctx: BenchContext, api: ApiProcess, bare: BaselineProcess) {
  await sleep(2_000);
  const idleMb = procMemoryMb(api.child.pid as number, 'VmRSS');
  const bareMb = procMemoryMb(bare.pid, 'VmRSS');
  ctx.figures.push({
    name: 'API idle RSS on PostgreSQL, before the import',
    value: mb(idleMb),
    baseline: `bare node:http process ${mb(bareMb)}`,
    ratio: idleMb / bareMb,
    target: '≤ 100 MB',
    ok: idleMb <= 100,
  });
  return idleMb;
}

function peakMemory(ctx: BenchContext, api: ApiProcess, idleMb: number, fileMb: number) {
  const peakMb = procMemoryMb(api.child.pid as number, 'VmHWM');
  ctx.figures.push({
    name: `API peak RSS (VmHWM) after importing ${mb(fileMb)} 3×`,
    value: mb(peakMb),
    baseline: `idle ${mb(idleMb)}`,
    ratio: peakMb / idleMb,
    target: '≤ idle + 100 MB',
    ok: peakMb <= idleMb + 100,
  });
}

/** /health latency, sequential over keep-alive, against the bare server sending its bytes. */
async function healthLatencyFigure(ctx: BenchContext, bareUrl: string) {
  const bareMs = await hammer(`${bareUrl}/health`, 3000);
  const healthMs = await hammer(`${ctx.apiUrl}/health`, 3000);
  ctx.figures.push({
    name: 'GET /health latency (sequential, keep-alive)',
    value: `${(healthMs * 1000).toFixed(0)} µs`,
    baseline: `bare node:http ${(bareMs * 1000).toFixed(0)} µs`,
    ratio: healthMs / bareMs,
    target: 'reported',
    ok: true,
  });
}

async function measure(ctx: BenchContext, api: ApiProcess, file: string) {
  const bare = await startBaseline('http', {
    BASELINE_ANSWER: JSON.stringify(await recordAnswer(`${ctx.apiUrl}/health`)),
  });
  const hono = await startBaseline('hono', { DATABASE_URL: ctx.databaseUrl });
  try {
    await assertSameAnswer(`${ctx.apiUrl}/health`, `${bare.url}/health`);
    const idleMb = await idleMemory(ctx, api, bare);
    ctx.cookie = await signUpOverHttp(ctx.apiUrl, {
      email: `bench-${randomBytes(4).toString('hex')}@example.com`,
      password: 'benchmark password',
      display_name: 'Bench',
    });
    console.log(`Generating ${ROWS.toLocaleString('en')} rows…`);
    await writeCsv(file, ROWS);
    const fileMb = statSync(file).size / 1e6;
    console.log(`${file}: ${fileMb.toFixed(1)} MB; importing 3× and copying 3×…`);
    const datasetId = await importFigures(ctx, file);
    peakMemory(ctx, api, idleMb, fileMb);
    const { rows } = await ctx.direct.query<{ table_name: string }>(
      'select table_name from datasets where id = $1',
      [datasetId],
    );
    const table = rows[0]?.table_name as string;
    console.log('Queries, chart views and pages…');
    await aggregateFigures(ctx, datasetId, table);
    const chartId = await rendererFigures(ctx, datasetId);
    const chartDataUrl = await chartViewFigures(ctx, { chart: chartId, dataset: datasetId }, table);
    await rowPageFigures(ctx, datasetId, table);
    await healthLatencyFigure(ctx, bare.url);
    const key = await apiKeyOf(ctx);
    // A dead API would show as 0 req/s of connection errors: say why instead.
    if (api.child.exitCode !== null || api.child.signalCode !== null) {
      throw new Error(`the API stopped before the throughput runs:\n${api.output().slice(-4000)}`);
    }
    await throughputFigures(ctx, {
      bareHttpUrl: bare.url,
      honoUrl: hono.url,
      datasetId,
      chartId,
      userId: key.userId,
      apiKey: key.secret,
      chartDataUrl,
    });
    return fileMb;
  } finally {
    await Promise.all([bare.stop(), hono.stop()]);
  }
}

async function main(): Promise<boolean> {
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
  const dir = await mkdtemp(path.join(tmpdir(), 'chartroom-bench-'));
  const api = await startApiProcess(
    {
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      COOKIE_SECURE: 'false',
      RATE_LIMIT_WRITES_PER_MINUTE: '100000',
    },
    { cpus: '0' },
  );
  const direct = new pg.Client({ connectionString: url.toString() });
  await direct.connect();
  const ctx: BenchContext = {
    apiUrl: api.url,
    direct,
    databaseUrl: url.toString(),
    cookie: '',
    rows: ROWS,
    figures: [],
    notes: [],
  };
  let fileMb = 0;
  try {
    fileMb = await measure(ctx, api, path.join(dir, 'bench.csv'));
  } finally {
    await direct.end();
    const code = await api.stop();
    if (code !== 0) console.error(`The API exited with ${code}:\n${api.output().slice(-4000)}`);
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
  console.log('Lighthouse…');
  ctx.figures.push(...(await lighthouseFigures()));
  return printTable(
    `Chartroom benchmark — ${ROWS.toLocaleString('en')} rows, ${fileMb.toFixed(1)} MB CSV, PostgreSQL at ${url.host}`,
    ctx.figures,
    ctx.notes,
  );
}

if (!(await main())) process.exitCode = 1;
