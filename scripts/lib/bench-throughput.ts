// The throughput figures: API routes under autocannon against bare servers doing the least that
// gives the same answer, each pair on the same cores with the same load.
import type { BenchContext } from './bench-context.ts';
import {
  type Contender,
  describeThroughput,
  type Throughput,
  throughputRounds,
} from './throughput.ts';

export interface ThroughputTargets {
  bareHttpUrl: string;
  honoUrl: string;
  datasetId: string;
  chartId: string;
  userId: string;
  apiKey: string;
  chartDataUrl: string;
}

interface Comparison {
  name: string;
  api: string;
  baseline: string;
  baselineLabel: string;
  min: number;
}

const COMPARISONS: Comparison[] = [
  {
    name: 'GET /health',
    api: 'health',
    baseline: 'bare-http',
    baselineLabel: 'bare node:http, same bytes',
    min: 0.75,
  },
  {
    name: 'GET /v1/datasets/{id}, anonymous',
    api: 'dataset',
    baseline: 'hono-dataset',
    baselineLabel: 'bare Hono+Kysely SELECT',
    min: 0.6,
  },
  {
    name: 'GET /v1/charts/{id}, anonymous',
    api: 'chart',
    baseline: 'hono-chart',
    baselineLabel: 'bare Hono+Kysely SELECT',
    min: 0.6,
  },
  {
    name: 'GET /v1/me, API key',
    api: 'me',
    baseline: 'hono-user',
    baselineLabel: 'bare Hono+Kysely SELECT user',
    min: 0.5,
  },
  {
    name: 'Chart data, repeat view',
    api: 'chart-data',
    baseline: 'health',
    baselineLabel: 'GET /health',
    min: 0.5,
  },
];

export async function throughputFigures(ctx: BenchContext, t: ThroughputTargets): Promise<void> {
  const api = ctx.apiUrl;
  const groups: Contender[][] = [
    [
      { name: 'health', url: `${api}/health` },
      { name: 'bare-http', url: `${t.bareHttpUrl}/health` },
    ],
    [
      { name: 'dataset', url: `${api}/v1/datasets/${t.datasetId}` },
      { name: 'hono-dataset', url: `${t.honoUrl}/datasets/${t.datasetId}` },
    ],
    [
      { name: 'chart', url: `${api}/v1/charts/${t.chartId}` },
      { name: 'hono-chart', url: `${t.honoUrl}/charts/${t.chartId}` },
    ],
    [
      { name: 'me', url: `${api}/v1/me`, headers: { Authorization: `Bearer ${t.apiKey}` } },
      { name: 'hono-user', url: `${t.honoUrl}/users/${t.userId}` },
    ],
    // Compared with /health's median: cached views should cost about what liveness costs.
    [{ name: 'chart-data', url: t.chartDataUrl }],
  ];
  const shape = { connections: 50, durationSeconds: 5, cpus: '1' };
  console.log(
    `Throughput: ${groups.flat().length} targets × 3 rounds, ${shape.connections} connections, ${shape.durationSeconds} s each…`,
  );
  const measured = await throughputRounds(groups, shape);
  const of = (name: string) => measured.get(name) as Throughput;
  for (const c of COMPARISONS) {
    const [apiRun, baseRun] = [of(c.api), of(c.baseline)];
    const ratio = apiRun.rps / baseRun.rps;
    ctx.figures.push({
      name: `${c.name} throughput (median of 3)`,
      value: describeThroughput(apiRun),
      baseline: `${c.baselineLabel} ${describeThroughput(baseRun)}`,
      ratio,
      target: `speed ≥ ${c.min}×`,
      ok: apiRun.clean && baseRun.clean && ratio >= c.min,
    });
  }
  ctx.notes.push(
    `Throughput: autocannon ${shape.connections} connections × ${shape.durationSeconds} s on core 1, servers on core 0; pairs back to back, 3 rounds alternating, 2xx/s medians. Bare Hono does one Kysely SELECT by primary key on the same table and answers c.json of the row.`,
  );
}
