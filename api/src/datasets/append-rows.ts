import { sql } from 'kysely';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import { type ColumnType, fits, fitsBytes } from './column-types.ts';
import { lastRowSql } from './dataset-table.ts';
import { ImportError } from './import-error.ts';
import { unknownColumns } from './import-run.ts';
import { type RowSource, spill, where } from './import-spill.ts';
import { refreshStats } from './import-stats.ts';

/** Appends rows to an existing dataset, each value checked against its column's type. */
export async function appendRows(
  handle: DatabaseHandle,
  dataset: { id: string; table_name: string; columns: StoredColumn[] },
  source: RowSource,
): Promise<{ appended: number; rowCount: number }> {
  const byName = new Map(dataset.columns.map((column) => [column.name, column]));
  unknownColumns(source.names, [...byName.keys()]);
  const targets = source.names.map((name) => byName.get(name) as StoredColumn);
  const misfit = (value: string, type: ColumnType, at: number, column: string) =>
    new ImportError(`"${value}" is not a ${type}`, {
      ...where(source, at, column),
      type: 'type_mismatch',
    });
  const { file, rows } = await spill(source, {
    text: (values, at) => {
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        const column = targets[i] as StoredColumn;
        if (value !== null && value !== undefined && !fits(column.type, value))
          throw misfit(value, column.type, at, column.name);
      }
    },
    raw: ({ bytes, starts, ends, rows, firstLine }) => {
      const width = targets.length;
      for (const [i, column] of targets.entries()) {
        if (column.type === 'text') continue;
        for (let row = 0, k = i; row < rows; row++, k += width) {
          const start = starts[k] as number;
          const end = ends[k] as number;
          if (start !== end && !fitsBytes(column.type, bytes, start, end)) {
            const value = bytes.toString('utf8', start, end);
            throw misfit(value, column.type, firstLine + row, column.name);
          }
        }
      }
    },
  });
  try {
    return await handle.bulk(async (session) => {
      await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
      // Appends to one dataset take turns (on every instance), holding its row from the start:
      // the statistics see the rows of every append that committed before and are written over
      // the columns as they are now, so neither a concurrent append's rows nor a new label is
      // lost; and a delete, which also takes the row before the table, cannot deadlock with it.
      const [current] = await session.execute<{ columns: StoredColumn[] }>(
        handle.db
          .selectFrom('datasets')
          .select('columns')
          .where('id', '=', dataset.id)
          .forUpdate()
          .compile(),
      );
      if (!current) {
        throw new ImportError('the dataset was deleted while the rows were being read', {
          status: 404,
          type: 'not_found',
        });
      }
      const [{ last } = { last: '0' }] = await session.execute<{ last: string }>(
        lastRowSql(dataset.table_name).compile(handle.db),
      );
      // The source's columns, in its order, go to the dataset columns they name.
      await session.copyFile(
        dataset.table_name,
        targets.map((t) => t.key),
        file,
      );
      const stored = await refreshStats(session, handle, dataset.table_name, current.columns, {
        since: String(last),
      });
      // The count this append made, read as it wrote it: under the row lock, no other append's.
      const [counted] = await session.execute<{ row_count: number | string }>(
        handle.db
          .updateTable('datasets')
          .set({
            columns: JSON.stringify(stored),
            row_count: sql`row_count + ${rows}`,
            updated_at: new Date(),
          })
          .where('id', '=', dataset.id)
          .returning('row_count')
          .compile(),
      );
      return { appended: rows, rowCount: Number(counted?.row_count) };
    });
  } finally {
    await file.remove();
  }
}
