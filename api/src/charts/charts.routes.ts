import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/secured.ts';
import { idempotent } from '../idempotency/idempotent.ts';
import { problemResponses } from '../lib/problem.ts';
import { IdSchema } from '../lib/schemas.ts';
import {
  ChartDataSchema,
  ChartListSchema,
  ChartPatchSchema,
  ChartPreviewRequestSchema,
  ChartPreviewSchema,
  ChartSchema,
  NewChartSchema,
} from './charts.schemas.ts';

const TAG = 'Charts';
const params = z.object({ id: IdSchema });
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const publicRead = {
  security: [{}, { cookieAuth: [] }, { bearerAuth: [] }] as Record<string, string[]>[],
};

export const listCharts = createRoute({
  method: 'get',
  path: '/v1/charts',
  operationId: 'listCharts',
  tags: [TAG],
  summary: 'List charts: mine and the public gallery',
  ...publicRead,
  request: {
    query: z.object({
      mine: z
        .enum(['true', 'false'])
        .optional()
        .transform((value) => value === 'true')
        .describe('`true`: only my charts.'),
      dataset_id: IdSchema.optional().describe(
        'Only the charts drawn from this dataset (those you may see), e.g. before deleting it.',
      ),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(500).optional(),
    }),
  },
  responses: {
    200: { description: 'A page of charts, newest first.', content: json(ChartListSchema) },
    ...problemResponses(401, 422),
  },
});

export const createChart = createRoute(
  idempotent(
    secured({
      method: 'post',
      path: '/v1/charts',
      operationId: 'createChart',
      tags: [TAG],
      summary: 'Create a chart of a dataset',
      description:
        'The definition is checked against the dataset: columns must exist and fit their role (numbers to sum, dates to bucket), and the combination must make sense (a pie has one measure).',
      request: { body: { required: true, content: json(NewChartSchema) } },
      responses: {
        201: { description: 'Created.', content: json(ChartSchema) },
        ...problemResponses(413, 415, 422),
      },
    }),
  ),
);

export const getChart = createRoute({
  method: 'get',
  path: '/v1/charts/{id}',
  operationId: 'getChart',
  tags: [TAG],
  summary: 'A chart definition',
  ...publicRead,
  request: { params },
  responses: {
    200: { description: 'The chart.', content: json(ChartSchema) },
    ...problemResponses(401, 404, 422),
  },
});

export const updateChart = createRoute(
  secured({
    method: 'patch',
    path: '/v1/charts/{id}',
    operationId: 'updateChart',
    tags: [TAG],
    summary: 'Change a chart',
    request: { params, body: { required: true, content: json(ChartPatchSchema) } },
    responses: {
      200: { description: 'Updated.', content: json(ChartSchema) },
      ...problemResponses(404, 413, 415, 422),
    },
  }),
);

export const deleteChart = createRoute(
  secured({
    method: 'delete',
    path: '/v1/charts/{id}',
    operationId: 'deleteChart',
    tags: [TAG],
    summary: 'Delete a chart',
    request: { params },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(404, 422) },
  }),
);

const ETAG_HEADER = {
  description:
    'Identifies this answer; weak (`W/"…"`), since one computed again may differ in the last digit of a float. Send it back in `If-None-Match`.',
  schema: { type: 'string' as const, maxLength: 64 },
};

export const getChartData = createRoute({
  method: 'get',
  path: '/v1/charts/{id}/data',
  operationId: 'getChartData',
  tags: [TAG],
  summary: 'Chart-ready series, computed on the server and downsampled to fit a screen',
  description:
    'Public and unlisted charts send `ETag` and `Cache-Control` so a CDN can serve them; `If-None-Match` answers 304. The ETag changes when the chart or its dataset changes. `from` and `to` narrow the x range (zoom) and fetch it at full resolution, downsampled again to `max_points`.',
  ...publicRead,
  request: {
    params,
    query: z.object({
      max_points: z.coerce.number().int().min(10).max(100_000).default(2000),
      from: z.string().max(100).optional().describe('Lowest x to include, in the x column’s type.'),
      to: z.string().max(100).optional().describe('Highest x to include.'),
    }),
  },
  responses: {
    200: {
      description: 'The series.',
      content: json(ChartDataSchema),
      headers: {
        ETag: ETAG_HEADER,
      },
    },
    304: {
      description: 'Not changed since the ETag in `If-None-Match`.',
      headers: { ETag: ETAG_HEADER },
    },
    ...problemResponses(401, 404, 422, 503),
  },
});

export const getChartImage = createRoute({
  method: 'get',
  path: '/v1/charts/{id}/image.svg',
  operationId: 'getChartImage',
  tags: [TAG],
  summary: 'The chart as an SVG image',
  description:
    'Rendered on the server from the same series as `/data`, for a README, an email or a social preview. Cached like the data.',
  ...publicRead,
  request: {
    params,
    query: z.object({
      width: z.coerce.number().int().min(200).max(4000).default(800),
      height: z.coerce.number().int().min(150).max(4000).default(450),
      theme: z.enum(['light', 'dark']).default('light'),
      from: z.string().max(100).optional().describe('Lowest x to draw (zoom), as for `/data`.'),
      to: z.string().max(100).optional().describe('Highest x to draw.'),
    }),
  },
  responses: {
    200: {
      description: 'The image.',
      content: { 'image/svg+xml': { schema: z.string() } },
      headers: {
        ETag: ETAG_HEADER,
      },
    },
    304: {
      description: 'Not changed since the ETag in `If-None-Match`.',
      headers: { ETag: ETAG_HEADER },
    },
    ...problemResponses(401, 404, 422, 503),
  },
});

export const previewChart = createRoute({
  method: 'post',
  path: '/v1/charts/preview',
  operationId: 'previewChart',
  tags: [TAG],
  summary: 'Chart-ready series for a definition, without saving a chart',
  description:
    'What `GET /v1/charts/{id}/data` would answer for this definition on this dataset, checked the same way (422 naming the field): a builder previews each change with it and saves only when asked. Nothing is stored. Anyone who can read the dataset may ask.',
  ...publicRead,
  request: {
    query: z.object({
      max_points: z.coerce.number().int().min(10).max(100_000).default(2000),
    }),
    body: { required: true, content: json(ChartPreviewRequestSchema) },
  },
  responses: {
    200: { description: 'The series.', content: json(ChartPreviewSchema) },
    ...problemResponses(401, 403, 413, 415, 422, 429, 503),
  },
});
