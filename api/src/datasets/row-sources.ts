import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Context } from 'hono';
import { TAB_SEPARATED } from '../db/bulk.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { COLUMN_TYPES, type ColumnType } from './column-types.ts';
import { openCsv } from './csv-reader.ts';
import { DELIMITER_NAMES } from './datasets.routes.ts';
import { ImportError } from './import-error.ts';
import type { RowBatch, RowSource } from './import-spill.ts';
import { QueryInputError } from './row-query.ts';

/**
 * The JSON body's `rows` as parsed, for their keys: zod copies a record key by key and leaves
 * `__proto__` out (assigning it would replace the copy's prototype), yet that is a column name
 * like any other. The values are the ones just validated (strings, numbers, booleans, nulls),
 * except `__proto__`'s, which jsonSource checks itself.
 */
export async function parsedRows(c: Context<AppEnv>): Promise<Record<string, unknown>[]> {
  const body = (await c.req.json()) as { rows?: Record<string, unknown>[] };
  return body.rows ?? [];
}

/** Rows handed to the import at a time: between batches other requests get their turn. */
const JSON_BATCH_ROWS = 5_000;

export function jsonSource(
  names: string[],
  rows: Record<string, unknown>[],
  maxCellBytes: number,
): RowSource {
  const known = new Set(names);
  const toRow = (row: Record<string, unknown>, index: number) => {
    const extra = Object.keys(row).find((key) => !known.has(key));
    if (extra !== undefined) {
      throw new ImportError(`no column is named "${extra}"`, {
        row: index,
        column: extra,
        type: 'unknown_column',
      });
    }
    return {
      at: index,
      values: names.map((name) => {
        // Own keys only: a row without `constructor` must not find Object's.
        const value = Object.hasOwn(row, name) ? row[name] : undefined;
        if (value === null || value === undefined) return null;
        // zod never saw a `__proto__` value (see parsedRows): it may be anything.
        if (typeof value === 'object') {
          throw new ImportError('a value must be a string, a number, a boolean or null', {
            row: index,
            column: name,
            type: 'type_mismatch',
          });
        }
        return String(value);
      }),
    };
  };
  async function* batches() {
    for (let start = 0; start < rows.length; start += JSON_BATCH_ROWS) {
      const slice = rows.slice(start, start + JSON_BATCH_ROWS);
      yield { rows: slice.map((row, i) => toRow(row, start + i)) };
      await nextTurn();
    }
  }
  return { names, batches: batches(), position: 'row', format: TAB_SEPARATED, maxCellBytes };
}

export async function csvSource(
  c: Context<AppEnv>,
  delimiter?: keyof typeof DELIMITER_NAMES,
): Promise<RowSource> {
  const body = c.req.raw.body;
  if (!body)
    throw new ImportError('the CSV body is empty: it needs a header row', { type: 'csv_empty' });
  const file = await openCsv(body as unknown as AsyncIterable<Uint8Array>, {
    delimiter: delimiter ? DELIMITER_NAMES[delimiter] : undefined,
    maxBytes: c.var.config.UPLOAD_LIMIT_BYTES,
    maxColumns: c.var.config.MAX_COLUMNS,
    maxNameLength: c.var.config.MAX_COLUMN_NAME_LENGTH,
    maxCellBytes: c.var.config.MAX_CELL_BYTES,
  });
  async function* batches(): AsyncGenerator<RowBatch> {
    for await (const batch of file.batches) {
      if ('raw' in batch) {
        yield batch;
        continue;
      }
      // An empty cell is a missing value. Changed in place: a million rows, no copies.
      yield {
        rows: batch.records.map((record) => {
          const values: (string | null)[] = record.values;
          for (let i = 0; i < values.length; i++) if (values[i] === '') values[i] = null;
          return { at: record.line, values };
        }),
      };
    }
  }
  // Plain lines go to COPY as they are: the file's delimiter, and empty cells as null.
  const format = { delimiter: file.delimiter, null: '' } as const;
  return {
    names: file.header,
    batches: batches(),
    position: 'line',
    format,
    maxCellBytes: c.var.config.MAX_CELL_BYTES,
  };
}

export function parseTypeOverrides(params: string[]): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  params.forEach((param, index) => {
    const separator = param.lastIndexOf(':');
    const type = param.slice(separator + 1) as ColumnType;
    if (separator <= 0 || !COLUMN_TYPES.includes(type)) {
      throw new QueryInputError([
        {
          loc: ['query', 'type', index],
          msg: `write "Column name:type", type one of ${COLUMN_TYPES.join(', ')}`,
          type: 'value_error',
        },
      ]);
    }
    types.set(param.slice(0, separator), type);
  });
  return types;
}
