// Chart data views on the benchmark dataset: the first view of a new dataset version (computed)
// against its SQL run directly, repeat views (served from the answer cache) against that first
// view, and a burst of concurrent first views against one.
import { Agent } from 'node:http';
import type { BenchContext } from './bench-context.ts';
import { type Answer, get, json, latencies, median, millis, time } from './bench-measure.ts';

/** Rows the API reads before sampling (CHART_MAX_ROWS_READ's default), over 12 series. */
const PER_SERIES = Math.floor(200_000 / 12);

/**
 * What the chart's first view asks PostgreSQL, rebuilt by hand from api/src/charts/chart-rows.ts
 * and chart-folds.ts for this spec (daily avg of `a` by 12 categories, none folded): the series
 * ranking, then the grouped rows sampled per series. Approximate: the API's own reads of the
 * chart, the dataset and their versions are left out.
 */
export function chartSql(table: string): string[] {
  const t = `"${table}"`;
  return [
    `select r.k is null as empty, count(*) over () as distinct
     from (select c2 as k, avg(c3)::double precision as w from ${t} group by 1
           order by w desc nulls last, k asc nulls last) r
     order by r.w desc nulls last, r.k asc nulls last limit 13`,
    `select * from (
       select q.*, row_number() over (partition by q.s, q.s_other order by q.x_other asc nulls last, q.x asc nulls last) as _rn,
         count(*) over (partition by q.s, q.s_other) as _n
       from (select to_char(date_trunc('day', c1, 'UTC') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as x,
               false as x_other, c2 as s, false as s_other, avg(c3)::double precision as y0
             from ${t} group by 1, 2, 3, 4) q) w
     where w._n <= ${PER_SERIES} or (w._rn - 1) % ceil(w._n::double precision / ${PER_SERIES})::int = 0 or w._rn = w._n
     order by w.x_other asc nulls last, w.x asc nulls last`,
  ];
}

let appended = 0;

/** One new row, so that the dataset has a new version and no chart answer is cached for it. */
async function appendRow(ctx: BenchContext, datasetId: string): Promise<void> {
  appended++;
  const row = {
    ts: new Date(Date.UTC(2024, 0, 1) + appended * 1_000).toISOString(),
    category: 'north',
    a: 500,
    b: 25,
    c: appended,
    note: `appended ${appended}`,
  };
  await json(`${ctx.apiUrl}/v1/datasets/${datasetId}/rows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: ctx.cookie },
    body: JSON.stringify({ rows: [row] }),
    expected: 201,
  });
}

function expectFresh(answer: Answer, previousEtag: unknown): string {
  if (answer.status !== 200) throw new Error(`chart data answered ${answer.status}`);
  const etag = String(answer.headers.etag ?? '');
  // The same ETag would mean the answer came from the cache: not a first view.
  if (etag && etag === previousEtag) throw new Error('chart data did not change after an append');
  return etag;
}

/** First views against their SQL: three rounds, alternating, medians compared. */
async function firstViews(ctx: BenchContext, datasetId: string, url: string, table: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const apiTimes: number[] = [];
  const sqlTimes: number[] = [];
  let etag: unknown;
  try {
    for (let round = 0; round < 3; round++) {
      await appendRow(ctx, datasetId);
      const [apiMs, answer] = await time(() => get(url, agent));
      etag = expectFresh(answer, etag);
      apiTimes.push(apiMs);
      const [sqlMs] = await time(async () => {
        for (const query of chartSql(table)) await ctx.direct.query(query);
      });
      sqlTimes.push(sqlMs);
    }
  } finally {
    agent.destroy();
  }
  return { apiMs: median(apiTimes), sqlMs: median(sqlTimes) };
}

/** 20 first views at once, each on its own connection, right after an append. */
async function concurrentFirstViews(ctx: BenchContext, datasetId: string, url: string) {
  await appendRow(ctx, datasetId);
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  try {
    const [wallMs, answers] = await time(() =>
      Promise.all(Array.from({ length: 20 }, () => get(url, agent))),
    );
    const statuses: Record<number, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    return { wallMs, statuses };
  } finally {
    agent.destroy();
  }
}

/** Adds the chart-view figures; answers the chart data URL, for the throughput rounds. */
export async function chartViewFigures(
  ctx: BenchContext,
  ids: { chart: string; dataset: string },
  table: string,
): Promise<string> {
  // Anonymous, on a public chart: the view a visitor of a published chart makes.
  const url = `${ctx.apiUrl}/v1/charts/${ids.chart}/data?max_points=2000`;
  const first = await firstViews(ctx, ids.dataset, url, table);
  const repeatMs = median(await latencies(url, 21, 5));
  const burst = await concurrentFirstViews(ctx, ids.dataset, url);
  const allOk = Object.keys(burst.statuses).every((status) => status === '200');
  const statusText = Object.entries(burst.statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
  ctx.figures.push(
    {
      name: 'Chart data, first view after an append (median of 3)',
      value: millis(first.apiMs),
      baseline: `its SQL direct* ${millis(first.sqlMs)}`,
      ratio: first.apiMs / first.sqlMs,
      target: 'time ≤ 1.1× SQL',
      ok: first.apiMs / first.sqlMs <= 1.1,
    },
    {
      name: 'Chart data, repeat view (sequential, median of 21)',
      value: millis(repeatMs),
      baseline: `first view ${millis(first.apiMs)}`,
      ratio: first.apiMs / repeatMs,
      target: 'speed ≥ 50× first view',
      ok: first.apiMs / repeatMs >= 50,
    },
    {
      name: '20 concurrent first views after an append',
      value: `${millis(burst.wallMs)} wall, ${statusText}`,
      baseline: `one first view ${millis(first.apiMs)}`,
      ratio: burst.wallMs / first.apiMs,
      target: 'time ≤ 2× one, all 200',
      ok: allOk && burst.wallMs / first.apiMs <= 2,
    },
  );
  ctx.notes.push(
    'Chart SQL direct: the series ranking and the sampled grouped query, rebuilt by hand from api/src/charts/chart-rows.ts; approximate (the API also reads the chart, the dataset and their versions).',
  );
  return url;
}
