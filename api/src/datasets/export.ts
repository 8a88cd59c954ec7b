import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { sql } from 'kysely';
import type { StoredColumn } from '../db/schema.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { readDatasetRows } from './dataset-reads.ts';
import type { DatasetRow } from './datasets.repository.ts';
import { pageOfRows, type RowsRequest, readRow, rowsSelect } from './row-page.ts';

type Cell = string | number | boolean | null;

/** Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice). */
function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(value: Cell, column: StoredColumn): string {
  if (value === null) return '';
  const text = column.type === 'text' ? neutralised(String(value)) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (values: string[]) => `${values.join(',')}\r\n`;

type Row = ReturnType<typeof readRow>;
type Request = Omit<RowsRequest, 'cursor'> & { maxBytes: number };

/** How long an export may wait on its client between pages before its cursor is dropped. */
const STALLED_CLIENT_MS = 30_000;

/** Rows of the first fetch from a cursor; later ones are sized by the bytes rows have taken. */
const FIRST_FETCH = 100;

/**
 * Every matching row, page by page, to `use`, which answers whether to go on and how many bytes
 * the page made. On PostgreSQL one cursor sorts once and is read a page at a time (keyset pages
 * would sort the whole table again for each of them: 400 sorts for 2M rows); each fetch asks for
 * as many rows as fit `maxBytes` at the size rows have had so far. PGlite has a single session
 * that a cursor's transaction would hold for the whole download, so there each page is a query
 * of its own, between other requests' queries, cut by bytes in the database.
 */
async function eachPage(
  c: Context<AppEnv>,
  dataset: DatasetRow,
  request: Request,
  use: (page: Row[]) => Promise<{ more: boolean; bytes: number }>,
): Promise<void> {
  if (c.var.databaseKind !== 'postgres') {
    let cursor: RowsRequest['cursor'];
    for (;;) {
      // Page by page: each on the replica once it holds this version of the dataset.
      const page = await readDatasetRows(c.var.reads, dataset, (db) =>
        pageOfRows(db, dataset.table_name, { ...request, cursor }),
      );
      if (page.rows.length === 0 || !(await use(page.rows)).more || !page.more) return;
      cursor = page.rows.at(-1)?.cursor;
    }
  }
  let started = false;
  await readDatasetRows(c.var.reads, dataset, (db) =>
    db
      .transaction()
      .execute(async (trx) => {
        await sql`set local idle_in_transaction_session_timeout = ${sql.lit(STALLED_CLIENT_MS)}`.execute(
          trx,
        );
        await sql`declare rows_export no scroll cursor for ${rowsSelect(dataset.table_name, request)}`.execute(
          trx,
        );
        let count = Math.min(FIRST_FETCH, request.limit);
        for (;;) {
          const { rows } = await sql<
            Record<string, unknown>
          >`fetch ${sql.lit(count)} from rows_export`.execute(trx);
          if (rows.length === 0) return;
          started = true;
          const { more, bytes } = await use(rows.map((row) => readRow(request, row)));
          if (!more || rows.length < count) return;
          const rowBytes = Math.max(1, bytes / rows.length);
          count = Math.max(1, Math.min(request.limit, Math.floor(request.maxBytes / rowBytes)));
        }
      })
      .catch((error) => {
        // Rows already sent must not be sent again: no retry elsewhere once the stream began.
        throw started ? new Error('the export stopped part way', { cause: error }) : error;
      }),
  );
}

/** Text goes to the socket in pieces of about this many characters, not a page at once. */
const WRITE_CHARS = 1 << 20;

/**
 * Streams every row that matches, in order, as CSV or NDJSON, a page at a time, so memory
 * stays flat however big the dataset. The request's heavy-read slot is held until the last
 * byte is sent (or the client leaves), not only until the stream is handed to the server.
 */
export function rowsExport(
  c: Context<AppEnv>,
  dataset: DatasetRow,
  request: Request,
  format: 'csv' | 'ndjson',
) {
  const { columns } = request;
  const filename = `${dataset.name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'dataset'}.${format === 'csv' ? 'csv' : 'ndjson'}`;
  c.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  c.header('Content-Disposition', `attachment; filename="${filename}"`);
  const done = c.var.holdHeavyRead?.();
  return stream(
    c,
    async (out) => {
      try {
        if (format === 'csv')
          await out.write(
            csvLine(columns.map((column) => csvField(column.name, { ...column, type: 'text' }))),
          );
        await eachPage(c, dataset, request, async (page) => {
          let bytes = 0;
          let chunk = '';
          for (const row of page) {
            if (out.aborted) return { more: false, bytes };
            chunk +=
              format === 'csv'
                ? csvLine(row.values.map((value, i) => csvField(value, columns[i] as StoredColumn)))
                : `${JSON.stringify(Object.fromEntries(columns.map((column, i) => [column.name, row.values[i] ?? null])))}\n`;
            if (chunk.length >= WRITE_CHARS) {
              bytes += chunk.length;
              await out.write(chunk);
              chunk = '';
            }
          }
          bytes += chunk.length;
          if (chunk) await out.write(chunk);
          return { more: !out.aborted, bytes };
        });
      } finally {
        done?.();
      }
    },
    async (error, out) => {
      c.var.logger?.warn({ err: error }, 'row export stopped');
      await out.abort();
    },
  );
}
