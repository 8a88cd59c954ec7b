import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import type { StoredColumn } from '../db/schema.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { readDatasetRows } from './dataset-reads.ts';
import { type DatasetRow, pageOfRows, type RowsRequest } from './datasets.repository.ts';

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

/**
 * Streams every row that matches, in order, as CSV or NDJSON: pages of a few thousand rows
 * one after the other (keyset paging), so memory stays flat however big the dataset.
 */
export function rowsExport(
  c: Context<AppEnv>,
  dataset: DatasetRow,
  request: Omit<RowsRequest, 'cursor'>,
  format: 'csv' | 'ndjson',
) {
  const { columns } = request;
  const filename = `${dataset.name.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'dataset'}.${format === 'csv' ? 'csv' : 'ndjson'}`;
  c.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  c.header('Content-Disposition', `attachment; filename="${filename}"`);
  return stream(c, async (out) => {
    if (format === 'csv')
      await out.write(
        csvLine(columns.map((column) => csvField(column.name, { ...column, type: 'text' }))),
      );
    let cursor: RowsRequest['cursor'];
    for (;;) {
      // Page by page: each on the replica once it holds this version of the dataset.
      const page = await readDatasetRows(c.var.reads, dataset, (db) =>
        pageOfRows(db, dataset.table_name, { ...request, cursor }),
      );
      if (page.length === 0 || out.aborted) break;
      let chunk = '';
      for (const row of page) {
        chunk +=
          format === 'csv'
            ? csvLine(row.values.map((value, i) => csvField(value, columns[i] as StoredColumn)))
            : `${JSON.stringify(Object.fromEntries(columns.map((column, i) => [column.name, row.values[i] ?? null])))}\n`;
      }
      await out.write(chunk);
      if (page.length < request.limit) break;
      cursor = page.at(-1)?.cursor;
    }
  });
}
