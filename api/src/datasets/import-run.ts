import { sql } from 'kysely';
import type { Visibility } from '../auth/ownership.ts';
import type { BulkSession } from '../db/bulk.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import { type ColumnType, TypeInference, uniqueColumnNames } from './column-types.ts';
import {
  addRowKeySql,
  cappedDistinct,
  columnKey,
  createTableSql,
  newTableName,
} from './dataset-table.ts';
import { ImportError } from './import-error.ts';
import { type CellCheck, type RowSource, where } from './import-spill.ts';
import { type DistinctValues, observeRaw, observeText, refreshStats } from './import-stats.ts';
import type { SpillFile } from './spill-file.ts';

export function unknownColumns(names: string[], known: string[]): void {
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
  /**
   * Types the caller chose, by column name; the rest are inferred from every value. A Map: a
   * column may be named `constructor` or `__proto__`, which a plain object already answers to.
   */
  types: Map<string, ColumnType>;
}

/** Rows read, types inferred from all of them, and where they wait to be loaded. */
export interface Reading {
  file: SpillFile;
  rows: number;
  columns: StoredColumn[];
  /** Per column: a count, `null` for "more than the cap", `undefined` when not counted yet. */
  distinct: (number | null | undefined)[];
}

/** One import as it runs: what it reads, and what it has learnt of the columns so far. */
export interface ImportRun {
  handle: DatabaseHandle;
  spec: NewDataset;
  source: RowSource;
  names: string[];
  inference: TypeInference[];
  /**
   * Distinct values per column while few: a set that outgrows the cap is dropped (`null`);
   * `undefined` means not tracked (a column that looked numeric), counted in SQL if need be.
   */
  distinct: DistinctValues;
  observe: CellCheck;
}

export function startRun(handle: DatabaseHandle, spec: NewDataset, source: RowSource): ImportRun {
  const names = uniqueColumnNames(source.names);
  unknownColumns([...spec.types.keys()], names);
  const inference = names.map(() => new TypeInference());
  const distinct: DistinctValues = names.map(() => new Set());
  return {
    handle,
    spec,
    source: { ...source, names },
    names,
    inference,
    distinct,
    observe: {
      text: (values, at) => observeText(inference, distinct, values, at),
      raw: (lines) => observeRaw(inference, distinct, lines),
    },
  };
}

/** The columns the whole source calls for (or the caller chose), once every row is read. */
export function settle(run: ImportRun, file: SpillFile, rows: number): Reading {
  const { names, inference, spec, source, distinct } = run;
  const columns: StoredColumn[] = names.map((name, index) => {
    const inferred = inference[index] as TypeInference;
    const type = spec.types.get(name) ?? inferred.type;
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
  // Booleans are counted by value, not spelling (`true`, `TRUE`).
  const counts = columns.map((column, i) => {
    const seen = distinct[i];
    if (!seen) return null;
    return column.type === 'boolean'
      ? new Set([...seen].map((v) => v.toLowerCase())).size
      : cappedDistinct(seen.size);
  });
  return { file, rows, columns, distinct: counts };
}

/** With the rows in the table: its row key, the columns' statistics and the dataset's row. */
export async function finish(
  run: ImportRun,
  session: BulkSession,
  table: string,
  reading: Reading,
): Promise<string> {
  const { handle, spec } = run;
  await session.execute(addRowKeySql(table).compile(handle.db));
  const stored = await refreshStats(session, handle, table, reading.columns, {
    distinct: reading.distinct,
  });
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
        row_count: reading.rows,
      })
      .returning('id')
      .compile(),
  );
  return (dataset as { id: string }).id;
}

/** One transaction: a table of the settled types, the spill file copied in, the dataset row. */
export function loadFromFile(run: ImportRun, reading: Reading): Promise<string> {
  const { handle } = run;
  return handle.bulk(async (session) => {
    // Timestamps written without a zone are UTC, whatever the server's own zone.
    await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
    const table = newTableName();
    await session.execute(createTableSql(table, reading.columns).compile(handle.db));
    await session.copyFile(
      table,
      reading.columns.map((c) => c.key),
      reading.file,
      'fresh table',
    );
    return finish(run, session, table, reading);
  });
}
