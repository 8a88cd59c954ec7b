import { sql } from 'kysely';
import type { Visibility } from '../auth/ownership.ts';
import { type BulkSession, copyTextLine } from '../db/bulk.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import { type ColumnType, fits, TypeInference, uniqueColumnNames } from './column-types.ts';
import {
  cappedDistinct,
  addRowKeySql,
  columnKey,
  createTableSql,
  DISTINCT_CAP,
  distinctCountSql,
  newTableName,
  readStats,
  statsSql,
} from './dataset-table.ts';
import { ImportError } from './import-error.ts';
import { SpillFile } from './spill-file.ts';

/** Rows from a file or a JSON body, as text cells; `at` is the file line or the JSON index. */
export interface RowSource {
  names: string[];
  batches: AsyncIterable<{ values: (string | null)[]; at: number }[]>;
  /** Lines of a file, or indexes of a JSON `rows` array: how errors say where. */
  position: 'line' | 'row';
}

const WRITE_CHARS = 256 * 1024;
const NUL = '\u0000';

function where(source: RowSource, at: number, column?: string) {
  return source.position === 'line' ? { line: at, column } : { row: at, column };
}

/**
 * Reads the whole source once, checking each row as it passes (its width, no NUL, and either
 * what types its values could have or that they fit the columns), and writes it to a spill file
 * in COPY's format. This happens before any transaction opens: a slow upload holds no
 * connection and no lock.
 */
async function spill(
  source: RowSource,
  check: (values: (string | null)[], at: number) => void,
): Promise<{ file: SpillFile; rows: number }> {
  const file = new SpillFile();
  const width = source.names.length;
  let rows = 0;
  try {
    for await (const batch of source.batches) {
      let text = '';
      for (const { values, at } of batch) {
        if (values.length !== width) {
          throw new ImportError(
            `this row has ${values.length} values, but there are ${width} columns`,
            {
              ...where(source, at),
              type: 'row_width',
            },
          );
        }
        for (let i = 0; i < width; i++) {
          if (values[i]?.includes(NUL)) {
            throw new ImportError('values may not contain NUL characters', {
              ...where(source, at, source.names[i]),
              type: 'invalid_character',
            });
          }
        }
        check(values, at);
        rows++;
        text += copyTextLine(values);
        if (text.length >= WRITE_CHARS) {
          await file.write(text);
          text = '';
        }
      }
      await file.write(text);
    }
    await file.close();
    return { file, rows };
  } catch (error) {
    await file.remove();
    throw error;
  }
}

/**
 * Column statistics: nulls and min/max from one scan. Distinct counts come from the import's
 * own pass when it has them, else from the table (appends).
 */
async function refreshStats(
  session: BulkSession,
  handle: DatabaseHandle,
  table: string,
  columns: StoredColumn[],
  distinct?: (number | null)[],
): Promise<StoredColumn[]> {
  const [row] = await session.execute<Record<string, unknown>>(
    statsSql(table, columns).compile(handle.db),
  );
  const counts =
    distinct ??
    (await Promise.all(
      columns.map(async (column) => {
        if (column.type !== 'text' && column.type !== 'boolean') return null;
        const [counted] = await session.execute<{ n: number | string }>(
          distinctCountSql(table, column.key).compile(handle.db),
        );
        return cappedDistinct(Number(counted?.n ?? 0));
      }),
    ));
  const stats = readStats(row ?? {}, columns, counts);
  return columns.map((column, index) => ({ ...column, ...stats[index] }));
}

function unknownColumns(names: string[], known: string[]): void {
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new ImportError(`no column is named ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      type: 'unknown_column',
    });
  }
}

export interface NewDataset {
  ownerId: string;
  name: string;
  description: string;
  visibility: Visibility;
  /** Types the caller chose, by column name; the rest are inferred from every value. */
  types: Record<string, ColumnType>;
}

/**
 * Creates a dataset from a source: every value is read (and types inferred from all of them)
 * before the table exists; then one transaction creates the table, COPYs the rows straight in
 * with their final types, and records the dataset. All or nothing.
 */
export async function importDataset(handle: DatabaseHandle, spec: NewDataset, source: RowSource) {
  const names = uniqueColumnNames(source.names);
  unknownColumns(Object.keys(spec.types), names);
  const inference = names.map(() => new TypeInference());
  // Distinct values per column while few; a set that outgrows the cap is dropped (`null`).
  const distinct: (Set<string> | null)[] = names.map(() => new Set());
  const { file, rows } = await spill({ ...source, names }, (values, at) => {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || value === undefined) continue;
      (inference[i] as TypeInference).observe(value, at);
      const seen = distinct[i];
      if (seen) {
        seen.add(value);
        if (seen.size > DISTINCT_CAP) distinct[i] = null;
      }
    }
  });
  try {
    const columns: StoredColumn[] = names.map((name, index) => {
      const inferred = inference[index] as TypeInference;
      const type = spec.types[name] ?? inferred.type;
      const misfit = inferred.misfits.get(type);
      if (type !== 'text' && misfit) {
        throw new ImportError(`"${misfit.value}" is not a ${type}`, {
          ...where(source, misfit.at, name),
          type: 'type_mismatch',
        });
      }
      return {
        key: columnKey(index),
        name,
        type,
        label: null,
        null_count: 0,
        distinct_count: null,
        min: null,
        max: null,
      };
    });
    return await handle.bulk(async (session) => {
      // Timestamps written without a zone are UTC, whatever the server's own zone.
      await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
      const table = newTableName();
      await session.execute(createTableSql(table, columns).compile(handle.db));
      await session.copyFile(
        table,
        columns.map((c) => c.key),
        file,
      );
      await session.execute(addRowKeySql(table).compile(handle.db));
      // Booleans are counted by value, not spelling (`true`, `TRUE`).
      const counts = columns.map((column, i) => {
        const seen = distinct[i];
        if (!seen) return null;
        return column.type === 'boolean'
          ? new Set([...seen].map((v) => v.toLowerCase())).size
          : cappedDistinct(seen.size);
      });
      const stored = await refreshStats(session, handle, table, columns, counts);
      const [dataset] = await session.execute<{ id: string }>(
        handle.db
          .insertInto('datasets')
          .values({
            owner_id: spec.ownerId,
            name: spec.name,
            description: spec.description,
            visibility: spec.visibility,
            table_name: table,
            columns: JSON.stringify(stored),
            row_count: rows,
          })
          .returning('id')
          .compile(),
      );
      return (dataset as { id: string }).id;
    });
  } finally {
    await file.remove();
  }
}

/** Appends rows to an existing dataset, each value checked against its column's type. */
export async function appendRows(
  handle: DatabaseHandle,
  dataset: { id: string; table_name: string; columns: StoredColumn[] },
  source: RowSource,
): Promise<number> {
  const byName = new Map(dataset.columns.map((column) => [column.name, column]));
  unknownColumns(source.names, [...byName.keys()]);
  const targets = source.names.map((name) => byName.get(name) as StoredColumn);
  const { file, rows } = await spill(source, (values, at) => {
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const column = targets[i] as StoredColumn;
      if (value !== null && value !== undefined && !fits(column.type, value)) {
        throw new ImportError(`"${value}" is not a ${column.type}`, {
          ...where(source, at, column.name),
          type: 'type_mismatch',
        });
      }
    }
  });
  try {
    return await handle.bulk(async (session) => {
      await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
      // The source's columns, in its order, go to the dataset columns they name.
      await session.copyFile(
        dataset.table_name,
        targets.map((t) => t.key),
        file,
      );
      const stored = await refreshStats(session, handle, dataset.table_name, dataset.columns);
      await session.execute(
        handle.db
          .updateTable('datasets')
          .set({
            columns: JSON.stringify(stored),
            row_count: sql`row_count + ${rows}`,
            updated_at: new Date(),
          })
          .where('id', '=', dataset.id)
          .compile(),
      );
      return rows;
    });
  } finally {
    await file.remove();
  }
}
