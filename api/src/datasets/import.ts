import { sql } from 'kysely';
import type { Visibility } from '../auth/ownership.ts';
import { type BulkSession, type CopyFormat, CopyTextEncoder, type CopyWriter } from '../db/bulk.ts';
import type { DatabaseHandle } from '../db/database.ts';
import type { StoredColumn } from '../db/schema.ts';
import {
  type ColumnType,
  fits,
  fitsBytes,
  TypeInference,
  uniqueColumnNames,
} from './column-types.ts';
import type { RawLines } from './csv-reader.ts';
import {
  addRowKeySql,
  cappedDistinct,
  columnKey,
  createTableSql,
  DISTINCT_CAP,
  distinctCountSql,
  lastRowSql,
  newTableName,
  readStats,
  STATS_COLUMNS_PER_QUERY,
  statsSql,
} from './dataset-table.ts';
import { ImportError } from './import-error.ts';
import { SpillFile } from './spill-file.ts';

/** One row as text cells; `at` is its file line or JSON index. */
export interface TextRow {
  values: (string | null)[];
  at: number;
}

/** Rows as text cells, or plain CSV lines still in their bytes (empty cells are null). */
export type RowBatch = { rows: TextRow[] } | { raw: RawLines };

/** Rows from a file or a JSON body. */
export interface RowSource {
  names: string[];
  batches: AsyncIterable<RowBatch>;
  /** Lines of a file, or indexes of a JSON `rows` array: how errors say where. */
  position: 'line' | 'row';
  /** How the rows are written for COPY: raw lines must be in this format as they are. */
  format: CopyFormat;
  /** Largest cell, in bytes of UTF-8 (MAX_CELL_BYTES); raw lines were checked as they were cut. */
  maxCellBytes: number;
}

export const batchSize = (batch: RowBatch) => ('raw' in batch ? batch.raw.rows : batch.rows.length);

/** What an import checks of each cell as it passes: types it could have, or types it must fit. */
interface CellCheck {
  text(values: (string | null)[], at: number): void;
  raw(lines: RawLines): void;
}

const NUL = '\u0000';

function where(source: RowSource, at: number, column?: string) {
  return source.position === 'line' ? { line: at, column } : { row: at, column };
}

/** Each value of a text row can be stored: no NUL, and no larger than MAX_CELL_BYTES. */
function checkStorable(source: RowSource, values: (string | null)[], at: number) {
  const { maxCellBytes } = source;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    if (value.includes(NUL)) {
      throw new ImportError('values may not contain NUL characters', {
        ...where(source, at, source.names[i]),
        type: 'invalid_character',
      });
    }
    // A UTF-16 unit is at most three bytes of UTF-8: only long values need counting.
    if (value.length * 3 > maxCellBytes && Buffer.byteLength(value) > maxCellBytes) {
      throw new ImportError(`a cell may hold at most ${maxCellBytes} bytes of UTF-8`, {
        ...where(source, at, source.names[i]),
        type: 'too_long',
      });
    }
  }
}

/** While rows are read, they may also stream into a COPY whose column types were guessed. */
interface Overlap {
  copy: CopyWriter;
  /** Whether every value read so far still fits the guessed types. */
  stillFits: () => boolean;
}

/**
 * Reads the whole source once, checking each row as it passes (its width, no NUL, and either
 * what types its values could have or that they fit the columns), and writes it to a spill file
 * in COPY's format. With an `overlap`, the same text also streams into a COPY as it goes; the
 * first value that does not fit the guessed types cancels that COPY, and the spill file is
 * there to load from instead.
 */
async function spill(
  source: RowSource,
  check: CellCheck,
  overlap?: Overlap,
): Promise<{ file: SpillFile; rows: number; copied: boolean }> {
  const file = new SpillFile(source.format);
  const width = source.names.length;
  let rows = 0;
  let copy = overlap?.copy;
  const giveUpCopy = async () => {
    await copy?.abort();
    copy = undefined;
  };
  const flush = async (bytes: Buffer) => {
    if (bytes.length === 0) return;
    await file.write(bytes);
    // Rows go to COPY only once checked against the guess, so COPY never sees a misfit.
    if (copy && !overlap?.stillFits()) await giveUpCopy();
    if (copy) await copy.write(bytes).catch(giveUpCopy);
  };
  const encoder = new CopyTextEncoder(source.format);
  try {
    for await (const batch of source.batches) {
      if ('raw' in batch) {
        // Already whole lines in the source's COPY format, and checked for width and NULs.
        check.raw(batch.raw);
        rows += batch.raw.rows;
        await flush(batch.raw.bytes);
        continue;
      }
      for (const { values, at } of batch.rows) {
        if (values.length !== width) {
          throw new ImportError(
            `this row has ${values.length} values, but there are ${width} columns`,
            {
              ...where(source, at),
              type: 'row_width',
            },
          );
        }
        checkStorable(source, values, at);
        check.text(values, at);
        rows++;
        encoder.addRow(values);
        if (encoder.full) await flush(encoder.take());
      }
      await flush(encoder.take());
    }
    await file.close();
    return { file, rows, copied: copy !== undefined };
  } catch (error) {
    await giveUpCopy();
    await file.remove();
    throw error;
  }
}

/** Per column: distinct values while few; `null` past the cap, `undefined` when not tracked. */
type DistinctValues = (Set<string> | null | undefined)[];

function trackDistinct(distinct: DistinctValues, i: number, value: string) {
  const seen = distinct[i];
  if (!seen) return;
  seen.add(value);
  if (seen.size > DISTINCT_CAP) distinct[i] = null;
}

function observeText(
  inference: TypeInference[],
  distinct: DistinctValues,
  values: (string | null)[],
  at: number,
) {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    (inference[i] as TypeInference).observe(value, at);
    trackDistinct(distinct, i, value);
  }
}

/** Column by column: a column settled on one type costs one byte-level test per cell. */
function observeRaw(inference: TypeInference[], distinct: DistinctValues, lines: RawLines) {
  const { bytes, starts, ends, rows, firstLine } = lines;
  const width = inference.length;
  for (let i = 0; i < width; i++) {
    const types = inference[i] as TypeInference;
    if (types.settledOnText && !distinct[i]) continue;
    for (let row = 0, k = i; row < rows; row++, k += width) {
      const start = starts[k] as number;
      const end = ends[k] as number;
      if (start === end) continue;
      types.observeBytes(bytes, start, end, firstLine + row);
      if (distinct[i]) trackDistinct(distinct, i, bytes.toString('utf8', start, end));
    }
  }
}

/**
 * Column statistics: nulls and min/max from one scan. Distinct counts come from the import's
 * own pass when it has them, else from the table. After an append (`since`: the last `_row`
 * before it), only the new rows are scanned and merged into the columns' earlier statistics;
 * a column already past the distinct cap stays there without a count.
 */
async function refreshStats(
  session: BulkSession,
  handle: DatabaseHandle,
  table: string,
  columns: StoredColumn[],
  options: { distinct?: (number | null | undefined)[]; since?: string } = {},
): Promise<StoredColumn[]> {
  const { distinct = [], since } = options;
  const row: Record<string, unknown> = {};
  for (let start = 0; start < columns.length; start += STATS_COLUMNS_PER_QUERY) {
    const chunk = columns.slice(start, start + STATS_COLUMNS_PER_QUERY);
    const [part] = await session.execute<Record<string, unknown>>(
      statsSql(table, chunk, since, start).compile(handle.db),
    );
    Object.assign(row, part);
  }
  const counts: (number | null)[] = [];
  for (const [i, column] of columns.entries()) {
    const known = distinct[i];
    const pastCap = since !== undefined && column.distinct_count === null;
    if (known !== undefined || pastCap || (column.type !== 'text' && column.type !== 'boolean')) {
      counts.push(known ?? null);
      continue;
    }
    const [counted] = await session.execute<{ n: number | string }>(
      distinctCountSql(table, column.key).compile(handle.db),
    );
    counts.push(cappedDistinct(Number(counted?.n ?? 0)));
  }
  const stats = readStats(row, columns, counts);
  return columns.map((column, index) => {
    const fresh = stats[index] as (typeof stats)[number];
    // Null counts add up; min and max were merged in SQL.
    const nulls = since === undefined ? fresh.null_count : column.null_count + fresh.null_count;
    return { ...column, ...fresh, null_count: nulls };
  });
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
  /**
   * Types the caller chose, by column name; the rest are inferred from every value. A Map: a
   * column may be named `constructor` or `__proto__`, which a plain object already answers to.
   */
  types: Map<string, ColumnType>;
}

class SecondPassNeeded extends Error {}

/** How many rows are read before guessing the column types for an overlapped load. */
const GUESS_ROWS = 2000;

/** Rows read, types inferred from all of them, and where they wait to be loaded. */
interface Reading {
  file: SpillFile;
  rows: number;
  columns: StoredColumn[];
  /** Per column: a count, `null` for "more than the cap", `undefined` when not counted yet. */
  distinct: (number | null | undefined)[];
}

/**
 * Creates a dataset from a source. Types are inferred from every value, never from a sample,
 * and the load is one transaction: all or nothing.
 *
 * On PostgreSQL the rows stream into COPY while they are still being read, with types guessed
 * from the first rows; if the whole file agrees with the guess (nearly always), reading and
 * loading have overlapped. If not, that transaction rolls back and the rows load again from the
 * spill file with the types the whole file calls for. PGlite (one session) reads everything
 * first, so a slow upload never holds the embedded database.
 */
export async function importDataset(handle: DatabaseHandle, spec: NewDataset, source: RowSource) {
  const names = uniqueColumnNames(source.names);
  unknownColumns([...spec.types.keys()], names);
  const inference = names.map(() => new TypeInference());
  // Distinct values per column while few: a set that outgrows the cap is dropped (`null`);
  // `undefined` means not tracked (a column that looked numeric), counted in SQL if need be.
  const distinct: DistinctValues = names.map(() => new Set());
  const observe: CellCheck = {
    text: (values, at) => observeText(inference, distinct, values, at),
    raw: (lines) => observeRaw(inference, distinct, lines),
  };
  const stopTrackingUnlikely = (guessed: ColumnType[]) => {
    guessed.forEach((type, i) => {
      if (type !== 'text' && type !== 'boolean') distinct[i] = undefined;
    });
  };
  const settle = (file: SpillFile, rows: number): Reading => {
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
  };
  const finish = async (session: BulkSession, table: string, reading: Reading) => {
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
  };
  const loadFromFile = (reading: Reading) =>
    handle.bulk(async (session) => {
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
      return finish(session, table, reading);
    });

  let reading: Reading | undefined;
  try {
    if (handle.kind === 'postgres') {
      // Guess types from the first rows, then read the rest while COPY loads.
      const iterator = source.batches[Symbol.asyncIterator]();
      const head: RowBatch[] = [];
      let headRows = 0;
      let ended = false;
      while (headRows < GUESS_ROWS) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        head.push(next.value);
        headRows += batchSize(next.value);
      }
      const guess = names.map(() => new TypeInference());
      const untracked: DistinctValues = [];
      for (const batch of head) {
        if ('raw' in batch) observeRaw(guess, untracked, batch.raw);
        else for (const { values, at } of batch.rows) observeText(guess, untracked, values, at);
      }
      const guessed = names.map(
        (name, i) => spec.types.get(name) ?? (guess[i] as TypeInference).type,
      );
      stopTrackingUnlikely(guessed);
      const stillFits = () =>
        guessed.every(
          (type, i) => type === 'text' || !(inference[i] as TypeInference).misfits.has(type),
        );
      async function* everything() {
        yield* head;
        if (ended) return;
        for (let next = await iterator.next(); !next.done; next = await iterator.next())
          yield next.value;
      }
      const overlapped = await handle
        .bulk(async (session) => {
          await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
          const table = newTableName();
          const columns = names.map((_, i) => ({
            key: columnKey(i),
            type: guessed[i] as ColumnType,
          }));
          await session.execute(createTableSql(table, columns).compile(handle.db));
          const copy = session.openCopy(
            table,
            columns.map((c) => c.key),
            source.format,
            'fresh table',
          );
          try {
            const read = await spill(
              { ...source, names, batches: everything() },
              observe,
              copy ? { copy, stillFits } : undefined,
            );
            reading = settle(read.file, read.rows);
            const agreed =
              read.copied && reading.columns.every((column, i) => column.type === guessed[i]);
            if (!agreed) throw new SecondPassNeeded();
            await copy?.end();
          } catch (error) {
            await copy?.abort();
            throw error;
          }
          return finish(session, table, reading);
        })
        .catch((error) => {
          // Rolled back: nothing of the first attempt remains. Load from the file instead.
          if (error instanceof SecondPassNeeded) return undefined;
          throw error;
        });
      if (overlapped !== undefined) return overlapped;
      // The guess was wrong somewhere: that transaction rolled nothing in. Load from the file.
      return await loadFromFile(reading as unknown as Reading);
    }
    const read = await spill({ ...source, names }, observe);
    reading = { file: read.file, rows: 0, columns: [], distinct: [] };
    reading = settle(read.file, read.rows);
    return await loadFromFile(reading);
  } finally {
    await (reading as Reading | undefined)?.file.remove();
  }
}

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
