import { type Kysely, sql } from 'kysely';
import type { Visibility } from '../auth/ownership.ts';
import type { BulkSession } from '../db/bulk.ts';
import { copyTextLine } from '../db/bulk.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { Database, StoredColumn } from '../db/schema.ts';
import { type ColumnType, fits, TypeInference, uniqueColumnNames } from './column-types.ts';
import {
  columnKey,
  createStagingSql,
  createTableSql,
  insertFromStagingSql,
  newTableName,
  readStats,
  statsSql,
} from './dataset-table.ts';
import { ImportError } from './import-error.ts';

/** Rows from a file or a JSON body, as text cells; `at` is the file line or the JSON index. */
export interface RowSource {
  names: string[];
  records: AsyncIterable<{ values: (string | null)[]; at: number }>;
  /** Lines of a file, or indexes of a JSON `rows` array: how errors say where. */
  position: 'line' | 'row';
}

const BATCH_CHARS = 256 * 1024;
const NUL = '\u0000';

function where(source: RowSource, at: number, column?: string) {
  return source.position === 'line' ? { line: at, column } : { row: at, column };
}

/**
 * Streams a source into a staging table with COPY, checking each row as it passes: its width,
 * and either what types its values could have (new dataset) or that they fit the column types
 * (append). Nothing is buffered beyond one batch.
 */
async function stage(
  session: BulkSession,
  compile: Kysely<Database>,
  source: RowSource,
  staging: string,
  check: (values: (string | null)[], at: number) => void,
): Promise<number> {
  const keys = source.names.map((_, index) => columnKey(index));
  await session.execute(createStagingSql(staging, keys).compile(compile));
  let rows = 0;
  async function* lines() {
    let batch = '';
    for await (const { values, at } of source.records) {
      if (values.length !== keys.length) {
        throw new ImportError(
          `this row has ${values.length} values, but there are ${keys.length} columns`,
          {
            ...where(source, at),
            type: 'row_width',
          },
        );
      }
      for (let i = 0; i < values.length; i++) {
        if (values[i]?.includes(NUL)) {
          throw new ImportError('values may not contain NUL characters', {
            ...where(source, at, source.names[i]),
            type: 'invalid_character',
          });
        }
      }
      check(values, at);
      rows++;
      batch += copyTextLine(values);
      if (batch.length >= BATCH_CHARS) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  await session.copyFrom(staging, keys, lines());
  return rows;
}

async function refreshStats(
  session: BulkSession,
  compile: Kysely<Database>,
  table: string,
  columns: StoredColumn[],
): Promise<StoredColumn[]> {
  const [row] = await session.execute<Record<string, unknown>>(
    statsSql(table, columns).compile(compile),
  );
  const stats = readStats(row ?? {}, columns);
  return columns.map((column, index) => ({ ...column, ...stats[index] }));
}

export interface NewDataset {
  ownerId: string;
  name: string;
  description: string;
  visibility: Visibility;
  /** Types the caller chose, by column name; the rest are inferred from every value. */
  types: Record<string, ColumnType>;
}

/** Creates a dataset and its table from a source, all in one transaction: all or nothing. */
export async function importDataset(handle: DatabaseHandle, spec: NewDataset, source: RowSource) {
  const names = uniqueColumnNames(source.names);
  const unknown = Object.keys(spec.types).filter((name) => !names.includes(name));
  if (unknown.length) {
    throw new ImportError(`no column is named ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      type: 'unknown_column',
    });
  }
  return handle.bulk(async (session) => {
    await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
    const table = newTableName();
    const staging = `st_${table}`;
    const inference = names.map(() => new TypeInference());
    const rowCount = await stage(
      session,
      handle.db,
      { ...source, names },
      staging,
      (values, at) => {
        for (let i = 0; i < values.length; i++) {
          const value = values[i];
          if (value !== null && value !== undefined) inference[i]?.observe(value, at);
        }
      },
    );

    const columns = names.map((name, index) => {
      const inferred = inference[index] as TypeInference;
      const type = spec.types[name] ?? inferred.type;
      const misfit = inferred.misfits.get(type);
      if (type !== 'text' && misfit) {
        throw new ImportError(`"${misfit.value}" is not a ${type}`, {
          ...where(source, misfit.at, name),
          type: 'type_mismatch',
        });
      }
      return { key: columnKey(index), name, type, label: null };
    });
    await session.execute(createTableSql(table, columns).compile(handle.db));
    await session.execute(insertFromStagingSql(table, staging, columns).compile(handle.db));
    const stored = await refreshStats(
      session,
      handle.db,
      table,
      columns.map((c) => ({
        ...c,
        null_count: 0,
        distinct_count: null,
        min: null,
        max: null,
      })),
    );
    const [dataset] = await session.execute(
      handle.db
        .insertInto('datasets')
        .values({
          owner_id: spec.ownerId,
          name: spec.name,
          description: spec.description,
          visibility: spec.visibility,
          table_name: table,
          columns: JSON.stringify(stored),
          row_count: rowCount,
        })
        .returning('id')
        .compile(),
    );
    return (dataset as { id: string }).id;
  });
}

/** Appends rows to an existing dataset, each value checked against its column's type. */
export async function appendRows(
  handle: DatabaseHandle,
  dataset: { id: string; table_name: string; columns: StoredColumn[] },
  source: RowSource,
): Promise<number> {
  const byName = new Map(dataset.columns.map((column) => [column.name, column]));
  const unknown = source.names.filter((name) => !byName.has(name));
  if (unknown.length) {
    throw new ImportError(`no column is named ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      type: 'unknown_column',
    });
  }
  const targets = source.names.map((name) => byName.get(name) as StoredColumn);
  return handle.bulk(async (session) => {
    await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
    const staging = `st_${dataset.table_name}`;
    const count = await stage(session, handle.db, source, staging, (values, at) => {
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
    // Staging columns are c1… in the source's order; map each to the dataset column it fills.
    const insert = sql`insert into ${sql.table(dataset.table_name)} (${sql.join(targets.map((t) => sql.id(t.key)))})
      select ${sql.join(targets.map((t, i) => sql`${sql.id(columnKey(i))}::${sql.raw(sqlTypeOf(t.type))}`))}
      from ${sql.table(staging)} order by _row`;
    await session.execute(insert.compile(handle.db));
    const stored = await refreshStats(session, handle.db, dataset.table_name, dataset.columns);
    await session.execute(
      handle.db
        .updateTable('datasets')
        .set({
          columns: JSON.stringify(stored),
          row_count: sql`row_count + ${count}`,
          updated_at: new Date(),
        })
        .where('id', '=', dataset.id)
        .compile(),
    );
    return count;
  });
}

import { SQL_TYPES } from './column-types.ts';

const sqlTypeOf = (type: ColumnType) => SQL_TYPES[type];
