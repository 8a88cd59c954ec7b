import type { RouteHandler, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { sql } from 'kysely';
import { currentAuth } from '../auth/auth-context.ts';
import { canChange, canRead } from '../auth/ownership.ts';
import { withRequestSignal } from '../db/database.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { decodeListCursor, listPage } from '../lib/list-cursor.ts';
import { problem } from '../lib/problem.ts';
import { missingBody } from '../lib/validation.ts';
import { buildAggregate } from './aggregate.ts';
import { appendRows as appendToDataset } from './append-rows.ts';
import { readDatasetRows } from './dataset-reads.ts';
import * as repository from './datasets.repository.ts';
import type {
  appendRows,
  createDataset,
  deleteDataset,
  getDataset,
  listDatasets,
  listRows,
  queryDataset,
  updateDataset,
} from './datasets.routes.ts';
import type { NewDatasetSchema } from './datasets.schemas.ts';
import { rowsExport } from './export.ts';
import { importDataset } from './import.ts';
import { ImportError } from './import-error.ts';
import { indexForLaterPages } from './row-indexes.ts';
import { pageOfRows } from './row-page.ts';
import {
  decodeCursor,
  encodeCursor,
  filterSql,
  parseFilterParam,
  parseSort,
  resolveColumn,
  selectColumns,
} from './row-query.ts';
import { csvSource, jsonSource, parsedRows, parseTypeOverrides } from './row-sources.ts';
import { checkCsvDataset, checkDatasetPatch, checkJsonDataset } from './text-limits.ts';

const NOT_FOUND = 'There is no dataset with this id, or it is not yours to see.';

function datasetBody(row: repository.DatasetRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    owner: { id: row.owner_id, display_name: row.owner_name },
    row_count: Number(row.row_count),
    columns: row.columns.map((column) => ({
      name: column.name,
      key: column.key,
      type: column.type,
      label: column.label,
      null_count: column.null_count,
      distinct_count: column.distinct_count,
      min: column.min,
      max: column.max,
    })),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function summaryBody(row: repository.DatasetRow) {
  const { columns, ...summary } = datasetBody(row);
  return { ...summary, column_count: columns.length };
}

const isCsv = (c: Context) => /^text\/csv\b/i.test(c.req.header('content-type') ?? '');
// These routes take JSON or CSV, so to the validator their body is optional and it checks
// nothing when none comes. A body without a Content-Type is refused (415) before this.
const hasBody = (c: Context) => c.req.header('content-type') !== undefined;

/** The dataset if this caller may read it; `undefined` answers 404 whatever the reason. */
async function readable(c: Context<AppEnv>, id: string) {
  const dataset = await repository.findDataset(c.var.db, id);
  return dataset && canRead(c.var.auth, dataset) ? dataset : undefined;
}

export const listDatasetsHandler: RouteHandler<typeof listDatasets, AppEnv> = async (c) => {
  const { q, mine, limit, cursor } = c.req.valid('query');
  const after = decodeListCursor(cursor);
  if (mine && !c.var.auth) {
    return problem(c, 401, 'Log in, or send an API key, to list your own.', {
      headers: { 'WWW-Authenticate': 'Bearer realm="chartroom"' },
    });
  }
  const list = (db: typeof c.var.db) =>
    repository.listDatasets(db, c.var.auth, { q, mine, limit, after });
  // An anonymous caller sees public datasets only, and a moment's lag: the read replica. A
  // signed-in caller may look for what they just created: the primary.
  const rows = c.var.auth ? await list(c.var.db) : await c.var.reads.run(list);
  const page = listPage(rows, limit);
  return c.json({ items: page.items.map(summaryBody), next_cursor: page.next_cursor }, 200);
};

export const createDatasetHandler: RouteHandler<typeof createDataset, AppEnv> = async (c) => {
  const auth = currentAuth(c);
  const query = c.req.valid('query');
  if (!hasBody(c)) return missingBody(c);
  let id: string;
  if (isCsv(c)) {
    if (!query.name) {
      return problem(c, 422, 'query.name: Field required', {
        errors: [{ loc: ['query', 'name'], msg: 'Field required', type: 'missing' }],
      });
    }
    checkCsvDataset(c.var.config, query);
    const types = parseTypeOverrides(query.type);
    const source = await csvSource(c, query.delimiter);
    id = await importDataset(
      withRequestSignal(c.var.database, c.req.raw.signal),
      {
        ownerId: auth.user.id,
        name: query.name,
        description: query.description ?? '',
        visibility: query.visibility ?? 'private',
        types,
      },
      source,
    );
  } else {
    // The route also takes text/csv, so the validated JSON type includes a string; here it is JSON.
    const body = c.req.valid('json') as z.output<typeof NewDatasetSchema>;
    const rows = await parsedRows(c);
    const names = body.columns?.map((column) => column.name) ?? [
      ...new Set(rows.flatMap((row) => Object.keys(row))),
    ];
    if (body.columns && new Set(names).size !== names.length) {
      return problem(c, 422, 'body.columns: column names must be unique', {
        errors: [
          { loc: ['body', 'columns'], msg: 'column names must be unique', type: 'value_error' },
        ],
      });
    }
    if (names.length > c.var.config.MAX_COLUMNS) {
      throw new ImportError(`at most ${c.var.config.MAX_COLUMNS} columns are allowed`, {
        type: 'too_many_columns',
      });
    }
    checkJsonDataset(c.var.config, body, names, rows);
    const types = new Map((body.columns ?? []).map((column) => [column.name, column.type]));
    id = await importDataset(
      withRequestSignal(c.var.database, c.req.raw.signal),
      {
        ownerId: auth.user.id,
        name: body.name,
        description: body.description,
        visibility: body.visibility,
        types,
      },
      jsonSource(names, rows, c.var.config.MAX_CELL_BYTES),
    );
  }
  const dataset = await repository.findDataset(c.var.db, id);
  c.header('Location', `/v1/datasets/${id}`);
  return c.json(datasetBody(dataset as repository.DatasetRow), 201);
};

export const getDatasetHandler: RouteHandler<typeof getDataset, AppEnv> = async (c) => {
  const dataset = await readable(c, c.req.valid('param').id);
  if (!dataset) return problem(c, 404, NOT_FOUND);
  return c.json(datasetBody(dataset), 200);
};

export const updateDatasetHandler: RouteHandler<typeof updateDataset, AppEnv> = async (c) => {
  const { id } = c.req.valid('param');
  const dataset = await repository.findDataset(c.var.db, id);
  if (!dataset || !canChange(c.var.auth, dataset)) return problem(c, 404, NOT_FOUND);
  const { column_labels, ...changes } = c.req.valid('json');
  let labels: Map<string, string | null> | undefined;
  checkDatasetPatch(c.var.config, c.req.valid('json'));
  if (column_labels) {
    labels = new Map(
      Object.entries(column_labels).map(([name, label]) => [
        resolveColumn(dataset.columns, name, ['body', 'column_labels', name]).key,
        label || null,
      ]),
    );
  }
  await repository.updateDataset(c.var.db, id, { ...changes, labels });
  return c.json(
    datasetBody((await repository.findDataset(c.var.db, id)) as repository.DatasetRow),
    200,
  );
};

/**
 * Why a dataset is kept: the charts drawn from it, the owner's by title, other people's as a
 * count (their titles are theirs to show).
 */
function chartsInUse(inUse: repository.ChartsDrawnFrom, ownerId: string): string {
  const mine = inUse.charts.filter((chart) => chart.owner_id === ownerId);
  const titles = mine.slice(0, 5).map((chart) => `“${chart.title}”`);
  const yours = inUse.owned - titles.length;
  if (yours > 0) titles.push(`${yours.toLocaleString('en')} more of yours`);
  const others = inUse.total - inUse.owned;
  if (others > 0) titles.push(`${others.toLocaleString('en')} by other people`);
  const count = inUse.total === 1 ? '1 chart is' : `${inUse.total.toLocaleString('en')} charts are`;
  return `${count} drawn from this dataset (${titles.join(', ')}), so it was not deleted. Delete those charts first, or send charts=delete to delete them with it.`;
}

export const deleteDatasetHandler: RouteHandler<typeof deleteDataset, AppEnv> = async (c) => {
  const dataset = await repository.findDataset(c.var.db, c.req.valid('param').id);
  if (!dataset || !canChange(c.var.auth, dataset)) return problem(c, 404, NOT_FOUND);
  if (c.req.valid('query').charts !== 'delete') {
    const inUse = await repository.chartsDrawnFrom(c.var.db, dataset.id);
    if (inUse.total > 0) return problem(c, 409, chartsInUse(inUse, dataset.owner_id));
  }
  await repository.deleteDataset(c.var.db, dataset);
  return c.body(null, 204);
};

export const appendRowsHandler: RouteHandler<typeof appendRows, AppEnv> = async (c) => {
  const dataset = await repository.findDataset(c.var.db, c.req.valid('param').id);
  if (!dataset || !canChange(c.var.auth, dataset)) return problem(c, 404, NOT_FOUND);
  if (!hasBody(c)) return missingBody(c);
  const source = isCsv(c)
    ? await csvSource(c)
    : jsonSource(
        dataset.columns.map((column) => column.name),
        await parsedRows(c),
        c.var.config.MAX_CELL_BYTES,
      );
  const { appended, rowCount } = await appendToDataset(
    withRequestSignal(c.var.database, c.req.raw.signal),
    dataset,
    source,
  );
  return c.json({ appended, row_count: rowCount }, 201);
};

export const listRowsHandler: RouteHandler<typeof listRows, AppEnv> = async (c) => {
  const dataset = await readable(c, c.req.valid('param').id);
  if (!dataset) return problem(c, 404, NOT_FOUND);
  const query = c.req.valid('query');
  const columns = query.select.length
    ? selectColumns(dataset.columns, query.select, ['query', 'select'])
    : dataset.columns;
  const filters = query.filter.map((text, index) =>
    parseFilterParam(text, dataset.columns, ['query', 'filter', index]),
  );
  const where = filterSql(dataset.columns, filters, ['query', 'filter']);
  const sort = parseSort(dataset.columns, query.sort, ['query', 'sort']);
  const accept = c.req.header('accept') ?? '';
  const format = query.format
    ? query.format
    : /text\/csv/i.test(accept)
      ? 'csv'
      : /application\/x-ndjson/i.test(accept)
        ? 'ndjson'
        : 'json';
  if (format !== 'json') {
    return rowsExport(
      c,
      dataset,
      { columns, where, sort, limit: 5000, maxBytes: c.var.config.ROWS_PAGE_MAX_BYTES },
      format,
    );
  }
  const cursor = query.cursor ? decodeCursor(query.cursor, sort, ['query', 'cursor']) : undefined;
  const page = await readDatasetRows(c.var.reads, dataset, (db) =>
    pageOfRows(db, dataset.table_name, {
      columns,
      where,
      sort,
      cursor,
      limit: query.limit,
      maxBytes: c.var.config.ROWS_PAGE_MAX_BYTES,
    }),
  );
  indexForLaterPages(c, dataset, sort, filters);
  const last = page.rows.at(-1);
  return c.json(
    {
      columns: columns.map(({ name, type }) => ({ name, type })),
      rows: page.rows.map((row) =>
        Object.fromEntries(columns.map((column, i) => [column.name, row.values[i] ?? null])),
      ),
      next_cursor: page.more && last ? encodeCursor(last.cursor) : null,
    },
    200,
  );
};

export const queryDatasetHandler: RouteHandler<typeof queryDataset, AppEnv> = async (c) => {
  const dataset = await readable(c, c.req.valid('param').id);
  if (!dataset) return problem(c, 404, NOT_FOUND);
  const aggregate = buildAggregate(dataset.table_name, dataset.columns, c.req.valid('json'));
  const timeout = c.var.config.QUERY_TIMEOUT_MS;
  const rows = await readDatasetRows(c.var.reads, dataset, (db) =>
    db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeout)}, true)`.execute(trx);
      return (await aggregate.statement.execute(trx)).rows;
    }),
  );
  return c.json({ columns: aggregate.columns, rows: rows.map(aggregate.toRow) }, 200);
};
