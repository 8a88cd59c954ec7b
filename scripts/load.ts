// `npm run load`: a bounded load on two API instances sharing one PostgreSQL database — reads,
// chart data and SVGs, appended rows and new charts, spread over both — then proof that every
// acknowledged write is in the database exactly once. Latencies are printed as ratios to
// GET /health measured the same way in the same run. Exits non-zero on any error or lost write.
// Needs PostgreSQL: DATABASE_URL, or the local postgres://postgres@127.0.0.1:5432/test, where it
// creates a database of its own and drops it after. Talks only to 127.0.0.1.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type ApiProcess, signUpOverHttp, startApiProcess } from './lib/api-process.ts';
import {
  checkWrites,
  type KindFigures,
  LatencyRecorder,
  type WriteCheck,
  WriteLedger,
} from './lib/load-figures.ts';
import {
  type DriveResult,
  drive,
  HEALTH_ONLY,
  type LoadLedgers,
  type LoadTarget,
  loadMix,
  ROWS_PER_APPEND,
} from './lib/load-mix.ts';

function setting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
    process.exit(2);
  }
  return value;
}

const SECONDS = setting('LOAD_SECONDS', 20, 1, 600);
const CONNECTIONS = setting('LOAD_CONNECTIONS', 16, 2, 1000);
const BASELINE_SECONDS = setting(
  'LOAD_BASELINE_SECONDS',
  Math.max(1, Math.min(5, Math.round(SECONDS / 4))),
  1,
  600,
);
const DATASET_ROWS = setting('LOAD_DATASET_ROWS', 5000, 1, 1_000_000);
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Settings of both instances: production mode, rate limits out of the way of the load. */
const API_ENV = {
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  COOKIE_SECURE: 'false',
  RATE_LIMIT_WRITES_PER_MINUTE: '10000000',
  RATE_LIMIT_LOGIN_PER_MINUTE: '10000000',
};

async function call(
  api: ApiProcess,
  path: string,
  init: RequestInit & { expect: number },
): Promise<Record<string, unknown>> {
  const response = await fetch(`${api.url}${path}`, init);
  const text = await response.text();
  if (response.status !== init.expect) {
    throw new Error(`setup: ${init.method ?? 'GET'} ${path} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function seedCsv(rows: number): string {
  const cities = ['Paris', 'Lyon', 'Marseille', 'Lille'];
  const lines = ['day,city,value,count,tag'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + (i % 366))).toISOString().slice(0, 10);
    lines.push(`${day},${cities[i % 4]},${((i * 37) % 1000) / 10},${i % 17},seed-${i}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An account, a key, a dataset and a chart, made through the API, half on each instance. */
async function setUp(a: ApiProcess, b: ApiProcess, dbName: string): Promise<LoadTarget> {
  const cookie = await signUpOverHttp(a.url, {
    email: `load-${dbName}@example.com`,
    password: 'load test password',
    display_name: 'Load',
  });
  const key = await call(b, '/v1/api-keys', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ name: 'load', scopes: ['read', 'write'] }),
    expect: 201,
  });
  const auth = { Authorization: `Bearer ${key.secret as string}` };
  const dataset = await call(a, '/v1/datasets?name=Load&visibility=public', {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...auth },
    body: seedCsv(DATASET_ROWS),
    expect: 201,
  });
  const chart = await call(b, '/v1/charts', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...auth },
    body: JSON.stringify({
      dataset_id: dataset.id,
      title: 'Average value by month',
      visibility: 'public',
      spec: {
        type: 'line',
        x: { column: 'day', bucket: 'month' },
        y: [{ column: 'value', aggregate: 'avg' }],
        series: { column: 'city' },
      },
    }),
    expect: 201,
  });
  return {
    datasetId: dataset.id as string,
    chartId: chart.id as string,
    secret: key.secret as string,
  };
}

/** The same mix on both instances at once, the connections split between them. */
async function driveBoth(
  apis: ApiProcess[],
  seconds: number,
  mix: Parameters<typeof drive>[0]['mix'],
  recorder: LatencyRecorder,
  secret?: string,
): Promise<{ results: DriveResult[]; perInstance: number[] }> {
  const shares = apis.map(
    (_, i) => Math.floor(CONNECTIONS / apis.length) + (i < CONNECTIONS % apis.length ? 1 : 0),
  );
  const recorders = apis.map(() => new LatencyRecorder());
  const results = await Promise.all(
    apis.map((api, i) =>
      drive({
        url: api.url,
        connections: shares[i] as number,
        seconds,
        mix,
        ...(secret && { secret }),
        recorder: recorders[i] as LatencyRecorder,
      }),
    ),
  );
  recorder.merge(...recorders);
  return { results, perInstance: recorders.map((r) => r.figures().overall.requests) };
}

/** Waits until no statement runs on the database and the counts stop moving: in-flight writes
 * the load tool gave up on at the end may still be running in an API instance. */
async function settle(sql: pg.Client, table: string): Promise<void> {
  let previous = '';
  let steady = 0;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { rows } = await sql.query<{ active: number; rows: number; charts: number }>(
      `select (select count(*)::int from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid()
                  and state is distinct from 'idle') as active,
              (select count(*)::int from ${sql.escapeIdentifier(table)}) as rows,
              (select count(*)::int from charts) as charts`,
    );
    const now = JSON.stringify(rows[0]);
    steady = rows[0]?.active === 0 && now === previous ? steady + 1 : 0;
    if (steady >= 2) return;
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Verdict {
  rows: WriteCheck;
  charts: WriteCheck;
  rowCounts: number[];
  tableRows: number;
  chartsStored: number;
  /** [as the dataset says, as the table holds] */
  stats: { nullCounts: number[]; maxValues: number[] };
  problems: string[];
}

/** What the database holds against what the load tool was told was written. */
async function verify(
  sql: pg.Client,
  apis: ApiProcess[],
  target: LoadTarget,
  ledgers: LoadLedgers,
): Promise<Verdict> {
  const problems: string[] = [];
  const { rows: found } = await sql.query<{
    table_name: string;
    columns: { name: string; key: string }[];
  }>('select table_name, columns from datasets where id = $1', [target.datasetId]);
  const table = found[0]?.table_name as string;
  const tagKey = found[0]?.columns.find((column) => column.name === 'tag')?.key as string;
  await settle(sql, table);

  const rowCounts = await Promise.all(
    apis.map(async (api) => {
      const response = await fetch(`${api.url}/v1/datasets/${target.datasetId}`, {
        headers: { Authorization: `Bearer ${target.secret}` },
      });
      return Number(((await response.json()) as { row_count: number }).row_count);
    }),
  );
  const t = sql.escapeIdentifier(table);
  const tag = sql.escapeIdentifier(tagKey);
  const tableRows = Number(
    (await sql.query<{ n: number }>(`select count(*)::int as n from ${t}`)).rows[0]?.n,
  );
  const rowTags = await sql.query<{ tag: string; n: number }>(
    `select ${tag} as tag, count(*)::int as n from ${t} where ${tag} not like 'seed-%' group by 1`,
  );
  const rows = checkWrites(
    ledgers.rows,
    new Map(rowTags.rows.map((r) => [r.tag, r.n])),
    ROWS_PER_APPEND,
  );
  const chartTitles = await sql.query<{ title: string; n: number }>(
    'select title, count(*)::int as n from charts where dataset_id = $1 and id <> $2 group by 1',
    [target.datasetId, target.chartId],
  );
  const charts = checkWrites(
    ledgers.charts,
    new Map(chartTitles.rows.map((r) => [r.title, r.n])),
    1,
  );
  const chartsStored = chartTitles.rows.reduce((sum, r) => sum + r.n, 0) + 1;

  for (const [i, count] of rowCounts.entries()) {
    if (count !== tableRows) {
      problems.push(`instance ${i + 1} reports row_count ${count}, the table holds ${tableRows}`);
    }
  }
  // Each write sent an Idempotency-Key: once the instances are idle, every claim has an answer
  // (a claim left open would answer a client's retry 409 until its lease ran out).
  const openClaims = Number(
    (
      await sql.query<{ n: number }>(
        'select count(*)::int as n from idempotency_keys where response_status is null',
      )
    ).rows[0]?.n,
  );
  if (openClaims > 0) problems.push(`${openClaims} Idempotency-Key claims were never answered`);
  // The column statistics the dataset keeps (shown with it, used for charts' axes) must describe
  // the rows as they are once every append is in, whatever order they committed in.
  const columns = (
    await sql.query<{ columns: { name: string; key: string; null_count: number; max: unknown }[] }>(
      'select columns from datasets where id = $1',
      [target.datasetId],
    )
  ).rows[0]?.columns;
  const column = (name: string) => columns?.find((c) => c.name === name);
  const countKey = sql.escapeIdentifier(column('count')?.key as string);
  const valueKey = sql.escapeIdentifier(column('value')?.key as string);
  const actual = (
    await sql.query<{ nulls: number; max: number }>(
      `select (count(*) - count(${countKey}))::int as nulls, max(${valueKey})::float8 as max from ${t}`,
    )
  ).rows[0];
  const stats = {
    nullCounts: [Number(column('count')?.null_count), Number(actual?.nulls)],
    maxValues: [Number(column('value')?.max), Number(actual?.max)],
  };
  if (stats.nullCounts[0] !== stats.nullCounts[1]) {
    problems.push(
      `the dataset says column "count" has ${stats.nullCounts[0]} nulls, the table holds ${stats.nullCounts[1]}`,
    );
  }
  if (stats.maxValues[0] !== stats.maxValues[1]) {
    problems.push(
      `the dataset says column "value" goes up to ${stats.maxValues[0]}, the table holds ${stats.maxValues[1]}`,
    );
  }
  if (tableRows !== DATASET_ROWS + rows.storedRecords) {
    problems.push(
      `the table holds ${tableRows} rows, not ${DATASET_ROWS} seeded + ${rows.storedRecords} appended`,
    );
  }
  return { rows, charts, rowCounts, tableRows, chartsStored, stats, problems };
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const ratio = (value: number, base: number) => `${(value / base).toFixed(1)}×`;

function printReport(options: {
  target: string;
  baseline: KindFigures;
  baselineSeconds: number;
  mix: { kinds: KindFigures[]; overall: KindFigures };
  mixSeconds: number;
  perInstance: number[];
  socketErrors: number;
  timeouts: number;
  logErrors: string[];
  exitCodes: (number | null)[];
  verdict: Verdict;
}): boolean {
  const { baseline, mix, verdict } = options;
  const baseRate = baseline.requests / options.baselineSeconds;
  const mixRate = mix.overall.requests / options.mixSeconds;
  console.log(`\nChartroom load — ${options.target}`);
  console.log(
    `  baseline GET /health (both instances, same tool and connections): ${baseRate.toFixed(0)} req/s, p50 ${ms(baseline.p50)} ms, p99 ${ms(baseline.p99)} ms`,
  );
  console.log(
    `  mix: ${mixRate.toFixed(0)} req/s (${(mixRate / baseRate).toFixed(2)}× baseline), ${mix.overall.requests} requests (${options.perInstance.join(' + ')} per instance), p50 ${ms(mix.overall.p50)} ms (${ratio(mix.overall.p50, baseline.p50)}), p99 ${ms(mix.overall.p99)} ms (${ratio(mix.overall.p99, baseline.p99)})`,
  );
  const header = `    ${'request'.padEnd(32)} ${'count'.padStart(7)} ${'p50 ms'.padStart(8)} ${'×health'.padStart(8)} ${'p99 ms'.padStart(8)} ${'×health'.padStart(8)} ${'errors'.padStart(7)}`;
  console.log(header);
  for (const k of mix.kinds) {
    console.log(
      `    ${k.kind.padEnd(32)} ${String(k.requests).padStart(7)} ${ms(k.p50).padStart(8)} ${ratio(k.p50, baseline.p50).padStart(8)} ${ms(k.p99).padStart(8)} ${ratio(k.p99, baseline.p99).padStart(8)} ${String(k.failures).padStart(7)}`,
    );
  }

  const failedAnswers = mix.overall.failures + baseline.failures;
  const crashed = options.exitCodes.filter((code) => code !== 0).length;
  const errors =
    failedAnswers + options.socketErrors + options.timeouts + options.logErrors.length + crashed;
  console.log(
    `  errors: ${errors} (answers not 2xx/3xx ${failedAnswers}, socket errors ${options.socketErrors}, timeouts ${options.timeouts}, API error log lines ${options.logErrors.length}, instances not exiting 0 on SIGTERM ${crashed})`,
  );
  for (const sample of [...mix.overall.samples, ...baseline.samples].slice(0, 5)) {
    console.log(`    e.g. ${sample}`);
  }
  for (const line of options.logErrors.slice(0, 5)) console.log(`    log: ${line.slice(0, 400)}`);

  const { rows, charts } = verdict;
  console.log(
    `  appended rows: ${rows.acknowledged} appends of ${ROWS_PER_APPEND} acknowledged, ${rows.storedInFlight} more stored from requests in flight at the stop; row_count ${verdict.rowCounts.join(' / ')} (API, each instance), count(*) ${verdict.tableRows} (SQL) = ${DATASET_ROWS} seeded + ${rows.storedRecords} appended`,
  );
  console.log(
    `  created charts: ${charts.acknowledged} acknowledged, ${charts.storedInFlight} more stored from requests in flight at the stop; ${verdict.chartsStored} charts on the dataset (SQL, the setup's one included)`,
  );
  const { nullCounts, maxValues } = verdict.stats;
  console.log(
    `  column statistics after concurrent appends: nulls in "count" ${nullCounts[0]} (dataset) / ${nullCounts[1]} (table), largest "value" ${maxValues[0]} / ${maxValues[1]}`,
  );
  const lost = rows.lost.length + charts.lost.length;
  const wrong =
    rows.miscounted.length + charts.miscounted.length + rows.unknown.length + charts.unknown.length;
  console.log(
    `  lost writes: ${lost}${lost ? ` (e.g. ${[...rows.lost, ...charts.lost].slice(0, 5).join(', ')})` : ''}; writes stored partly, twice or unasked: ${wrong}`,
  );
  for (const problem of verdict.problems) console.log(`    ${problem}`);

  const pass = errors === 0 && lost === 0 && wrong === 0 && verdict.problems.length === 0;
  console.log(
    pass
      ? '\nPASS: no errors, no lost writes'
      : `\nFAIL: ${errors} errors, ${lost} lost writes, ${wrong} wrong writes, ${verdict.problems.length} count mismatches`,
  );
  return pass;
}

async function main(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    console.error(
      `The load test needs PostgreSQL at ${serverUrl} (set DATABASE_URL): ${(error as Error).message}`,
    );
    return false;
  }
  const dbName = `chartroom_load_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const apis: ApiProcess[] = [];
  const sql = new pg.Client({ connectionString: url.toString() });
  try {
    // Both start at once, as replicas do: migrations take turns under the advisory lock.
    const started = await Promise.allSettled(
      [0, 1].map(() => startApiProcess({ ...API_ENV, DATABASE_URL: url.toString() })),
    );
    for (const result of started) if (result.status === 'fulfilled') apis.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [a, b] = apis as [ApiProcess, ApiProcess];
    await sql.connect();
    console.log(
      `Load: ${SECONDS} s, ${CONNECTIONS} connections over ${a.url} and ${b.url}, one PostgreSQL database (${dbName} on ${url.host}); ${DATASET_ROWS} seeded rows`,
    );
    const target = await setUp(a, b, dbName);

    const baseline = new LatencyRecorder();
    const health = await driveBoth(apis, BASELINE_SECONDS, HEALTH_ONLY, baseline);
    const ledgers = { rows: new WriteLedger('load-'), charts: new WriteLedger('chart-') };
    const recorder = new LatencyRecorder();
    const load = await driveBoth(apis, SECONDS, loadMix(target, ledgers), recorder, target.secret);

    const verdict = await verify(sql, apis, target, ledgers);
    const exitCodes = await Promise.all(apis.map((api) => api.stop()));
    const runs = [...health.results, ...load.results];
    return printReport({
      target: `${CONNECTIONS} connections, ${SECONDS} s, 2 API instances, 1 PostgreSQL`,
      baseline: baseline.figures().overall,
      baselineSeconds: Math.max(...health.results.map((r) => r.seconds)),
      mix: recorder.figures(),
      mixSeconds: Math.max(...load.results.map((r) => r.seconds)),
      perInstance: load.perInstance,
      socketErrors: runs.reduce((sum, r) => sum + r.socketErrors, 0),
      timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
      logErrors: apis.flatMap((api) => api.errorLines()),
      exitCodes,
      verdict,
    });
  } finally {
    await sql.end().catch(() => {});
    await Promise.all(apis.map((api) => api.stop()));
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

process.exit((await main()) ? 0 : 1);
