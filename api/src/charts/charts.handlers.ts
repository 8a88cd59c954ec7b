import { createHash } from 'node:crypto';
import { type ChartSpec as DrawnSpec, RENDERER_VERSION, renderChart } from '@chartroom/charts';
import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { currentAuth } from '../auth/auth-context.ts';
import { canChange, canRead, canReadChart, chartDataAccess, isOwner } from '../auth/ownership.ts';
import { readDatasetRows } from '../datasets/dataset-reads.ts';
import * as datasets from '../datasets/datasets.repository.ts';
import { QueryInputError } from '../datasets/row-query.ts';
import type { Answer } from '../lib/answer-cache.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { decodeListCursor, listPage } from '../lib/list-cursor.ts';
import { problem } from '../lib/problem.ts';
import { type ChartSpec, chartData, type DataOptions, validateSpec } from './chart-data.ts';
import * as repository from './charts.repository.ts';
import type {
  createChart,
  deleteChart,
  getChart,
  getChartData,
  getChartImage,
  listCharts,
  previewChart,
  updateChart,
} from './charts.routes.ts';

const NOT_FOUND = 'There is no chart with this id, or it is not yours to see.';

function chartBody(row: repository.ChartRow) {
  return {
    id: row.id,
    dataset_id: row.dataset_id,
    title: row.title,
    description: row.description,
    visibility: row.visibility,
    owner: { id: row.owner_id, display_name: row.owner_name },
    spec: row.spec as ChartSpec,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const chartLimits = (c: Context<AppEnv>) => ({
  maxSeries: c.var.config.CHART_MAX_SERIES,
  maxCategories: c.var.config.CHART_MAX_CATEGORIES,
  maxRowsRead: c.var.config.CHART_MAX_ROWS_READ,
});

const datasetOf = (chart: repository.ChartRow) => ({
  owner_id: chart.dataset_owner_id,
  visibility: chart.dataset_visibility,
});

async function readable(c: Context<AppEnv>, id: string) {
  const chart = await repository.findChart(c.var.db, id);
  return chart && canReadChart(c.var.auth, chart, datasetOf(chart)) ? chart : undefined;
}

/** The chart's dataset, which the caller must be able to read to chart it. */
async function datasetFor(c: Context<AppEnv>, datasetId: string) {
  const dataset = await datasets.findDataset(c.var.db, datasetId);
  if (!dataset || !canRead(c.var.auth, dataset)) {
    throw new QueryInputError([
      {
        loc: ['body', 'dataset_id'],
        msg: 'there is no dataset with this id that you can read',
        type: 'not_found',
      },
    ]);
  }
  return dataset;
}

export const listChartsHandler: RouteHandler<typeof listCharts, AppEnv> = async (c) => {
  const { mine, limit, cursor, dataset_id: datasetId } = c.req.valid('query');
  const after = decodeListCursor(cursor);
  if (mine && !c.var.auth) {
    return problem(c, 401, 'Log in, or send an API key, to list your own.', {
      headers: { 'WWW-Authenticate': 'Bearer realm="chartroom"' },
    });
  }
  const list = (db: typeof c.var.db) =>
    repository.listCharts(db, c.var.auth, { mine, limit, after, datasetId });
  // Anonymous: public charts, a moment's lag is fine (the replica); signed in: the primary.
  const rows = c.var.auth ? await list(c.var.db) : await c.var.reads.run(list);
  const page = listPage(rows, limit);
  return c.json({ items: page.items.map(chartBody), next_cursor: page.next_cursor }, 200);
};

export const createChartHandler: RouteHandler<typeof createChart, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const dataset = await datasetFor(c, body.dataset_id);
  validateSpec(body.spec, dataset.columns);
  const id = await repository.insertChart(c.var.db, {
    ...body,
    owner_id: currentAuth(c).user.id,
  });
  c.header('Location', `/v1/charts/${id}`);
  return c.json(chartBody((await repository.findChart(c.var.db, id)) as repository.ChartRow), 201);
};

export const getChartHandler: RouteHandler<typeof getChart, AppEnv> = async (c) => {
  const chart = await readable(c, c.req.valid('param').id);
  if (!chart) return problem(c, 404, NOT_FOUND);
  return c.json(chartBody(chart), 200);
};

export const updateChartHandler: RouteHandler<typeof updateChart, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const chart = await repository.findChart(c.var.db, id);
  if (!chart || !canChange(c.var.auth, chart)) return problem(c, 404, NOT_FOUND);
  const changes = c.req.valid('json');
  if (changes.spec) validateSpec(changes.spec, (await datasetFor(c, chart.dataset_id)).columns);
  await repository.updateChart(c.var.db, id, changes);
  return c.json(chartBody((await repository.findChart(c.var.db, id)) as repository.ChartRow), 200);
};

export const deleteChartHandler: RouteHandler<typeof deleteChart, AppEnv> = async (c) => {
  const chart = await repository.findChart(c.var.db, c.req.valid('param').id);
  if (!chart || !canChange(c.var.auth, chart)) return problem(c, 404, NOT_FOUND);
  await repository.deleteChart(c.var.db, chart.id);
  return c.body(null, 204);
};

type ChartData = Awaited<ReturnType<typeof chartData>>;

const hashOf = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 27);

/**
 * Shared by the data and the image: finds the chart, sets `ETag` and `Cache-Control` (public
 * for shared charts, so a CDN can keep them), answers 304 to a matching `If-None-Match`, and
 * otherwise serves the answer from the answer cache, computing it (with a heavy-read slot) when
 * this version of chart, dataset and query has none yet. The ETag is weak: an answer computed
 * again (after it left the cache, or on another instance) may differ in a float's last digit.
 */
async function withChartData(
  c: Context<AppEnv>,
  id: string,
  variant: unknown,
  options: DataOptions,
  render: (chart: repository.ChartRow, data: ChartData) => Answer,
): Promise<Response> {
  // A refusal is never stored: a cache must ask again once the chart is shared.
  c.header('Cache-Control', 'no-store');
  // The chart and its dataset as they are now, from the primary, in one query: the rule is
  // checked on the rows about to be drawn, and their version makes the key.
  const found = await repository.findChartToDraw(c.var.db, id);
  if (!found || !canReadChart(c.var.auth, found.chart, datasetOf(found.chart))) {
    return problem(c, 404, NOT_FOUND);
  }
  const { chart, dataset } = found;
  const access = chartDataAccess(c.var.auth, chart, dataset);
  if (!access.read) {
    if (!isOwner(c.var.auth, chart)) return problem(c, 404, NOT_FOUND);
    return problem(c, 404, 'The dataset this chart draws is private to its owner now.');
  }
  // Everything the answer depends on; the viewer is not, once allowed to see it.
  const version = hashOf(
    JSON.stringify([
      chart.id,
      chart.updated_at,
      dataset.id,
      dataset.updated_at,
      String(dataset.row_count),
      variant,
    ]),
  );
  const etag = `W/"${version}"`;
  c.header(
    'Cache-Control',
    access.visibility !== 'private'
      ? // A shared cache keeps the answer but asks each time (a 304 while it holds): one that
        // served it for minutes would go on showing a chart its dataset has since made private.
        'public, no-cache'
      : 'private, no-cache',
  );
  c.header('Vary', 'Origin, Cookie, Authorization');
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === `"${version}"`)) {
    return c.body(null, 304, { ETag: etag });
  }
  const answer = await c.var.answers.get(version, async () => {
    await c.var.takeHeavyRead?.();
    // The chart and its dataset come from the primary (above); the series from the replica.
    const data = await readDatasetRows(c.var.reads, dataset, (db) =>
      chartData(db, { id: chart.id, spec: chart.spec as ChartSpec }, dataset, options),
    );
    return render(chart, data);
  });
  // The ETag on the answer only: a refusal met while computing (a busy server) has none.
  return c.body(answer.body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': answer.contentType,
    ETag: etag,
  });
}

const encoded = (text: string) => new TextEncoder().encode(text);

export const getChartDataHandler: RouteHandler<typeof getChartData, AppEnv> = (c) => {
  const query = c.req.valid('query');
  return withChartData(
    c,
    c.req.valid('param').id,
    ['data', query],
    { ...chartLimits(c), maxPoints: query.max_points, from: query.from, to: query.to },
    (_, data) => ({ body: encoded(JSON.stringify(data)), contentType: 'application/json' }),
  ) as ReturnType<RouteHandler<typeof getChartData, AppEnv>>;
};

export const getChartImageHandler: RouteHandler<typeof getChartImage, AppEnv> = async (c) => {
  const query = c.req.valid('query');
  const response = await withChartData(
    c,
    c.req.valid('param').id,
    ['svg', RENDERER_VERSION, query],
    { ...chartLimits(c), maxPoints: Math.max(50, query.width), from: query.from, to: query.to },
    (chart, data) => {
      const svg = renderChart(chart.spec as DrawnSpec, data, {
        width: query.width,
        height: query.height,
        theme: query.theme,
        title: chart.title,
        description: chart.description,
        idPrefix: 'chart',
        standalone: true,
      });
      return { body: encoded(svg), contentType: 'image/svg+xml; charset=utf-8' };
    },
  );
  // The image draws nothing from elsewhere: a strict policy costs nothing.
  if (response.status === 200) {
    response.headers.set(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'",
    );
  }
  return response as Awaited<ReturnType<RouteHandler<typeof getChartImage, AppEnv>>>;
};

export const previewChartHandler: RouteHandler<typeof previewChart, AppEnv> = async (c) => {
  const { dataset_id: datasetId, spec } = c.req.valid('json');
  const { max_points: maxPoints } = c.req.valid('query');
  const dataset = await datasetFor(c, datasetId);
  validateSpec(spec, dataset.columns);
  const { chart_id: _unsaved, ...data } = await readDatasetRows(c.var.reads, dataset, (db) =>
    chartData(db, { id: '', spec }, dataset, { ...chartLimits(c), maxPoints }),
  );
  return c.json(data, 200);
};
