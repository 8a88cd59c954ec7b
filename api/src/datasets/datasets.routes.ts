import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/secured.ts';
import { idempotent } from '../idempotency/idempotent.ts';
import { problemResponses } from '../lib/problem.ts';
import { IdSchema } from '../lib/schemas.ts';
import { TEXT_CEILINGS } from '../lib/text-limits.ts';
import type { DELIMITERS } from './csv-reader.ts';
import {
  AppendedSchema,
  AppendRowsSchema,
  DatasetListSchema,
  DatasetPatchSchema,
  DatasetSchema,
  NewDatasetSchema,
  QueryResultSchema,
  QuerySchema,
  RowsSchema,
} from './datasets.schemas.ts';

const TAG = 'Datasets';
const params = z.object({ id: IdSchema });
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

const CSV_BODY = {
  'text/csv': {
    schema: z.string().openapi({
      format: 'binary',
      description:
        'A CSV file with a header row, UTF-8 (a BOM is fine); comma, semicolon or tab separated (detected); quoted fields may hold separators and line breaks.',
    }),
  },
};

const repeated = (description: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
    .openapi({ type: 'array', items: { type: 'string' }, description });

const optionalFlag = z
  .enum(['true', 'false'])
  .optional()
  .transform((value) => value === 'true');

/** Readable by anyone for public and unlisted datasets; a key or session sees its own too. */
const publicRead = {
  security: [{}, { cookieAuth: [] }, { bearerAuth: [] }] as Record<string, string[]>[],
};

export const listDatasets = createRoute({
  method: 'get',
  path: '/v1/datasets',
  operationId: 'listDatasets',
  tags: [TAG],
  summary: 'List datasets: mine and everyone’s public ones',
  description:
    'Newest first, a page at a time. Unlisted datasets of others are reachable only by id.',
  ...publicRead,
  request: {
    query: z.object({
      q: z
        .string()
        .max(200)
        .optional()
        .describe('Only datasets whose name contains this, any case.'),
      mine: optionalFlag.describe('`true`: only my datasets.'),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(500).optional(),
    }),
  },
  responses: {
    200: { description: 'A page of datasets.', content: json(DatasetListSchema) },
    ...problemResponses(401, 422),
  },
});

export const createDataset = createRoute(
  idempotent(
    secured({
      method: 'post',
      path: '/v1/datasets',
      operationId: 'createDataset',
      tags: [TAG],
      summary: 'Create a dataset from JSON rows or a CSV file',
      description:
        'JSON: `name`, optional `columns` and `rows`. CSV (`Content-Type: text/csv`): the file is the body, streamed and imported in one transaction; name and options go in the query. Types are inferred from every value unless given. A bad row stops the import, naming its line and column, and nothing is kept.',
      request: {
        query: z.object({
          name: z
            .string()
            .min(1)
            .max(TEXT_CEILINGS.datasetName)
            .optional()
            .describe('CSV only: the dataset name (required).'),
          description: z.string().max(TEXT_CEILINGS.description).optional().describe('CSV only.'),
          visibility: z
            .enum(['private', 'unlisted', 'public'])
            .optional()
            .describe('CSV only; default `private`.'),
          delimiter: z
            .enum(['comma', 'semicolon', 'tab'])
            .optional()
            .describe('CSV only; detected from the header row when absent.'),
          type: repeated(
            'CSV only: `Column name:type` to override an inferred type, e.g. `Zip:text`.',
          ),
        }),
        body: {
          required: false,
          description: 'A JSON description of the dataset, or a CSV file.',
          content: { ...json(NewDatasetSchema), ...CSV_BODY },
        },
      },
      responses: {
        201: { description: 'Created.', content: json(DatasetSchema) },
        ...problemResponses(413, 415, 422),
      },
    }),
  ),
);

export const getDataset = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}',
  operationId: 'getDataset',
  tags: [TAG],
  summary: 'A dataset with its columns and their statistics',
  ...publicRead,
  request: { params },
  responses: {
    200: { description: 'The dataset.', content: json(DatasetSchema) },
    ...problemResponses(401, 404, 422),
  },
});

export const updateDataset = createRoute(
  secured({
    method: 'patch',
    path: '/v1/datasets/{id}',
    operationId: 'updateDataset',
    tags: [TAG],
    summary: 'Rename, describe, share, or label columns',
    request: { params, body: { required: true, content: json(DatasetPatchSchema) } },
    responses: {
      200: { description: 'Updated.', content: json(DatasetSchema) },
      ...problemResponses(404, 413, 415, 422),
    },
  }),
);

export const deleteDataset = createRoute(
  secured({
    method: 'delete',
    path: '/v1/datasets/{id}',
    operationId: 'deleteDataset',
    tags: [TAG],
    summary: 'Delete a dataset and all its rows',
    description:
      'A dataset that charts are drawn from is kept, with a 409 naming them, unless `charts=delete` asks to delete those charts too (the owner’s and anyone else’s: they cannot be drawn without it). `GET /v1/charts?dataset_id=` lists them.',
    request: {
      params,
      query: z.object({
        charts: z
          .enum(['delete'])
          .optional()
          .describe('`delete`: also delete every chart drawn from the dataset.'),
      }),
    },
    responses: {
      204: { description: 'Deleted, with its charts if `charts=delete` was asked.' },
      ...problemResponses(404, 409, 422),
    },
  }),
);

const ROWS_QUERY = z.object({
  select: repeated(
    'Columns to return (names or keys), repeated: `select=city&select=pm25`. Default: all.',
  ),
  filter: repeated(
    '`column:op:value`, repeated, all must hold. Ops: `eq`, `ne`, `lt`, `lte`, `gt`, `gte`, `contains` (text, any case), `in` (value is a JSON array: `city:in:["Paris","Lyon"]`), `is_null` (`true`/`false`). Example: `pm25:gte:10`.',
  ),
  sort: repeated(
    'Column to sort by, `-` before it for descending; repeated for ties. Nulls come last.',
  ),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe(
      "Most rows in the page. A page stops sooner when its cells pass the server's byte budget (`ROWS_PAGE_MAX_BYTES`, 8 MiB by default); `next_cursor` then goes on from there.",
    ),
  cursor: z.string().max(4000).optional().describe('`next_cursor` of the previous page.'),
  format: z
    .enum(['json', 'csv', 'ndjson'])
    .optional()
    .describe(
      'Overrides `Accept`, for download links: `csv` or `ndjson` export the whole filtered dataset.',
    ),
});

export const listRows = createRoute({
  method: 'get',
  path: '/v1/datasets/{id}/rows',
  operationId: 'listRows',
  tags: [TAG],
  summary:
    'Rows, filtered, sorted, a page at a time — or the whole filtered dataset as CSV or NDJSON',
  description:
    "With `Accept: text/csv` or `application/x-ndjson` the whole filtered, sorted dataset streams out (no `limit`, no paging); CSV text cells that start with `=`, `+`, `-` or `@` get a leading `'` so spreadsheets do not run them.",
  ...publicRead,
  request: { params, query: ROWS_QUERY },
  responses: {
    200: {
      description: 'A page of rows, or the export.',
      content: {
        ...json(RowsSchema),
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
      },
      headers: {
        'Content-Disposition': {
          description:
            'On a CSV or NDJSON export: `attachment; filename="<dataset name>.csv"`, so a browser saves it.',
          schema: { type: 'string', maxLength: 255 },
        },
      },
    },
    ...problemResponses(401, 404, 422),
  },
});

export const appendRows = createRoute(
  idempotent(
    secured({
      method: 'post',
      path: '/v1/datasets/{id}/rows',
      operationId: 'appendRows',
      tags: [TAG],
      summary: 'Append rows as JSON or CSV',
      description:
        'Each value must fit its column’s type; column names must exist (a CSV header names them in any order, missing ones are null). All rows or none.',
      request: {
        params,
        body: { required: false, content: { ...json(AppendRowsSchema), ...CSV_BODY } },
      },
      responses: {
        201: { description: 'Appended.', content: json(AppendedSchema) },
        ...problemResponses(404, 413, 415, 422),
      },
    }),
  ),
);

export const queryDataset = createRoute({
  method: 'post',
  path: '/v1/datasets/{id}/query',
  operationId: 'queryDataset',
  tags: [TAG],
  summary: 'Aggregate: group by columns or time buckets, with metrics',
  description:
    'Runs in the database with a time limit. Reading a public or unlisted dataset needs no credentials.',
  ...publicRead,
  request: { params, body: { required: true, content: json(QuerySchema) } },
  responses: {
    200: { description: 'The groups.', content: json(QueryResultSchema) },
    // 403: a cross-site request with the session cookie (CSRF protection covers every POST).
    ...problemResponses(401, 403, 404, 413, 415, 422, 503),
  },
});

export const DELIMITER_NAMES = { comma: ',', semicolon: ';', tab: '\t' } as const satisfies Record<
  string,
  (typeof DELIMITERS)[number]
>;
