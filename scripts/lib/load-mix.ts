// What `npm run load` sends: the request mix an integrator's traffic looks like, driven through
// autocannon, with every answer's latency recorded under its kind of request.
import { randomUUID } from 'node:crypto';
import autocannon, { type Request, type RequestData } from 'autocannon';
import type { LatencyRecorder, WriteLedger } from './load-figures.ts';

export const ROWS_PER_APPEND = 3;

export interface LoadTarget {
  datasetId: string;
  chartId: string;
  /** An API key with the `read` and `write` scopes. */
  secret: string;
}

export interface LoadLedgers {
  rows: WriteLedger;
  charts: WriteLedger;
}

/** One request of the mix: its kind names it in the report. */
interface MixRequest {
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  /** Builds a write's body anew for each send; `context` is the connection's own. */
  write?: (context: Record<string, unknown>) => string;
  /** Told each answer, to acknowledge the write it stands for. */
  answered?: (status: number, body: string, context: Record<string, unknown>) => void;
}

const CITIES = ['Paris', 'Lyon', 'Marseille', 'Lille'];

/**
 * A few rows, each carrying the append's tag, so the database can be asked which arrived. Each
 * append also moves the column statistics the dataset keeps: one more null `count`, and a new
 * largest `value` (the seeded values stay below 100).
 */
function appendBody(tag: string, sequence: number): string {
  const rows = Array.from({ length: ROWS_PER_APPEND }, (_, i) => ({
    day: `2025-0${1 + i}-1${i}`,
    city: CITIES[i % CITIES.length],
    value: i === ROWS_PER_APPEND - 1 ? 100 + sequence : 10.5 + i,
    count: i === 0 ? null : i,
    tag,
  }));
  return JSON.stringify({ rows });
}

/**
 * Reads (dataset list, filtered and sorted rows, a chart), chart data and its SVG, and two
 * writes (appending rows, creating a chart) in nine: each connection cycles through them.
 */
export function loadMix({ datasetId, chartId }: LoadTarget, ledgers: LoadLedgers): MixRequest[] {
  const rows = `/v1/datasets/${datasetId}/rows`;
  const chart = `/v1/charts/${chartId}`;
  const acknowledge =
    (ledger: WriteLedger, expected: number) =>
    (status: number, _body: string, context: Record<string, unknown>) => {
      if (status === expected) ledger.acknowledge(context.tag as string);
    };
  return [
    { kind: 'GET /v1/datasets', method: 'GET', path: '/v1/datasets?limit=20' },
    {
      kind: 'GET /v1/datasets/{id}/rows',
      method: 'GET',
      path: `${rows}?filter=value:gte:50&sort=-day&limit=100`,
    },
    { kind: 'GET /v1/charts/{id}', method: 'GET', path: chart },
    { kind: 'GET /v1/charts/{id}/data', method: 'GET', path: `${chart}/data` },
    {
      kind: 'POST /v1/datasets/{id}/rows',
      method: 'POST',
      path: rows,
      write: (context) => {
        context.tag = ledgers.rows.newTag();
        return appendBody(context.tag as string, ledgers.rows.sent.size);
      },
      answered: acknowledge(ledgers.rows, 201),
    },
    { kind: 'GET /v1/charts/{id}/image.svg', method: 'GET', path: `${chart}/image.svg` },
    {
      kind: 'GET /v1/datasets/{id}/rows',
      method: 'GET',
      path: `${rows}?filter=city:eq:Lyon&sort=value&sort=-count&limit=50`,
    },
    { kind: 'GET /v1/charts/{id}/data', method: 'GET', path: `${chart}/data?max_points=100` },
    {
      kind: 'POST /v1/charts',
      method: 'POST',
      path: '/v1/charts',
      write: (context) => {
        context.tag = ledgers.charts.newTag();
        return JSON.stringify({
          dataset_id: datasetId,
          title: context.tag,
          spec: { type: 'bar', x: { column: 'city' }, y: [{ column: 'value', aggregate: 'sum' }] },
        });
      },
      answered: acknowledge(ledgers.charts, 201),
    },
  ];
}

export const HEALTH_ONLY: MixRequest[] = [{ kind: 'GET /health', method: 'GET', path: '/health' }];

export interface DriveResult {
  /** autocannon's own count of socket errors and timeouts. */
  socketErrors: number;
  timeouts: number;
  seconds: number;
}

/** Runs `mix` against one API instance for `seconds` on `connections` keep-alive connections. */
export async function drive(options: {
  url: string;
  connections: number;
  seconds: number;
  mix: MixRequest[];
  secret?: string;
  recorder: LatencyRecorder;
}): Promise<DriveResult> {
  const { url, connections, seconds, mix, secret, recorder } = options;
  // autocannon calls a request's onResponse, then (synchronously) emits `response` with the
  // latency: the first says which kind of request it was, the second how long it took.
  let answered: { kind: string; status: number; body: string } | undefined;
  const requests: Request[] = mix.map((request) => {
    const write = request.write;
    return {
      method: request.method,
      path: request.path,
      ...(write && {
        setupRequest: (data: RequestData, context: Record<string, unknown>) => ({
          ...data,
          headers: {
            ...data.headers,
            'Content-Type': 'application/json',
            // As the README asks integrators to: a fresh key for each new write.
            'Idempotency-Key': randomUUID(),
          },
          body: write(context),
        }),
      }),
      onResponse: (status, body, context) => {
        request.answered?.(status, body, context);
        answered = { kind: request.kind, status, body: status >= 400 ? body : '' };
      },
    };
  });
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    headers: secret ? { Authorization: `Bearer ${secret}` } : {},
    requests,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    recorder.record(answered?.kind ?? 'unknown', status, ms, answered?.body);
    answered = undefined;
  });
  const result = await instance;
  return {
    socketErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}
