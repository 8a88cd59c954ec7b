// Pages of rows on the benchmark dataset: sorted by a number, filtered on a text. The API builds
// an index for each after answering the first such request (api/src/datasets/row-indexes.ts):
// the 7 requests follow each other without waiting for it, as a reader's would, so the median
// says whether it is there in time. The SQL baseline uses the same index once it exists.
import { Agent } from 'node:http';
import type { BenchContext } from './bench-context.ts';
import { get, median, millis, sleep, time } from './bench-measure.ts';

interface Page {
  name: string;
  query: string;
  /** The same page asked of PostgreSQL directly, approximately (row-page.ts adds a byte budget). */
  sql: (table: string) => string;
}

const PAGES: Page[] = [
  {
    name: 'Sorted page, sort=-a&limit=100',
    query: 'sort=-a&limit=100',
    sql: (table) => `select * from "${table}" order by c3 desc nulls last, _row limit 101`,
  },
  {
    name: 'Filtered page, filter=category:eq:north&limit=100',
    query: 'filter=category:eq:north&limit=100',
    sql: (table) => `select * from "${table}" where c2 = 'north' order by _row limit 101`,
  },
];

/** Waits (up to a minute) until no index is being built, so later figures do not pay for it. */
async function indexBuildsDone(ctx: BenchContext): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { rows } = await ctx.direct.query<{ n: string }>(
      'select count(*) as n from pg_stat_progress_create_index',
    );
    if (rows[0]?.n === '0') return;
    await sleep(200);
  }
}

export async function rowPageFigures(
  ctx: BenchContext,
  datasetId: string,
  table: string,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const page of PAGES) {
      const url = `${ctx.apiUrl}/v1/datasets/${datasetId}/rows?${page.query}`;
      const apiTimes: number[] = [];
      const sqlTimes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const [apiMs, answer] = await time(() => get(url, agent));
        if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}`);
        const count = (JSON.parse(answer.body) as { rows: unknown[] }).rows.length;
        if (count !== 100) throw new Error(`${url} answered ${count} rows, not 100`);
        apiTimes.push(apiMs);
        const [sqlMs] = await time(() => ctx.direct.query(page.sql(table)));
        sqlTimes.push(sqlMs);
      }
      const apiMs = median(apiTimes);
      const sqlMs = median(sqlTimes);
      ctx.figures.push({
        name: `${page.name} (median of 7)`,
        value: millis(apiMs),
        baseline: `same page SQL direct* ${millis(sqlMs)}`,
        ratio: apiMs / sqlMs,
        target: 'time ≤ 50 ms',
        ok: apiMs <= 50,
      });
    }
  } finally {
    agent.destroy();
  }
  await indexBuildsDone(ctx);
  ctx.notes.push(
    'Page SQL direct: select * … order by / where … limit 101 by hand; approximate (the API also pages by a byte budget and reads the dataset first).',
  );
}
