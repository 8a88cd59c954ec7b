import { sql } from 'kysely';
import { type ColumnType, TypeInference } from './column-types.ts';
import { columnKey, createTableSql, newTableName } from './dataset-table.ts';
import { finish, type ImportRun, type Reading, settle } from './import-run.ts';
import { batchSize, type RowBatch, spill } from './import-spill.ts';
import { type DistinctValues, observeRaw, observeText } from './import-stats.ts';
import type { SpillFile } from './spill-file.ts';

class SecondPassNeeded extends Error {}

/** How many rows are read before guessing the column types for an overlapped load. */
const GUESS_ROWS = 2000;

/** The column types the first rows suggest (or the caller chose). */
async function guessTypes(run: ImportRun) {
  const iterator = run.source.batches[Symbol.asyncIterator]();
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
  const guess = run.names.map(() => new TypeInference());
  const untracked: DistinctValues = [];
  for (const batch of head) {
    if ('raw' in batch) observeRaw(guess, untracked, batch.raw);
    else for (const { values, at } of batch.rows) observeText(guess, untracked, values, at);
  }
  const guessed = run.names.map(
    (name, i) => run.spec.types.get(name) ?? (guess[i] as TypeInference).type,
  );
  // The rest of the source: the rows already read, then those still to come.
  async function* everything() {
    yield* head;
    if (ended) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value;
  }
  return { guessed, batches: everything() };
}

/**
 * Reads the rest of the source while COPY loads it into a table of the guessed types. Answers
 * the new dataset's id, or (when some value did not fit the guess, and that transaction rolled
 * back) only the reading, for a load from the spill file.
 */
export async function overlappedImport(run: ImportRun): Promise<{ id?: string; reading: Reading }> {
  const { handle, source } = run;
  const { guessed, batches } = await guessTypes(run);
  // Numbers and dates are not counted by value: they have no facets to offer.
  guessed.forEach((type, i) => {
    if (type !== 'text' && type !== 'boolean') run.distinct[i] = undefined;
  });
  const stillFits = () =>
    guessed.every(
      (type, i) => type === 'text' || !(run.inference[i] as TypeInference).misfits.has(type),
    );
  let reading: Reading | undefined;
  let spilled: SpillFile | undefined;
  const id = await handle
    .bulk(async (session) => {
      await session.execute(sql`set local timezone = 'UTC'`.compile(handle.db));
      const table = newTableName();
      const columns = run.names.map((_, i) => ({
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
          { ...source, batches },
          run.observe,
          copy ? { copy, stillFits } : undefined,
        );
        spilled = read.file;
        reading = settle(run, read.file, read.rows);
        const agreed =
          read.copied && reading.columns.every((column, i) => column.type === guessed[i]);
        if (!agreed) throw new SecondPassNeeded();
        await copy?.end();
      } catch (error) {
        await copy?.abort();
        throw error;
      }
      return finish(run, session, table, reading);
    })
    .catch(async (error) => {
      // Rolled back: nothing of the first attempt remains. Load from the file instead.
      if (error instanceof SecondPassNeeded) return undefined;
      // A value that fits no column, or a failed load: the spill file goes too.
      await spilled?.remove();
      throw error;
    });
  return { id, reading: reading as unknown as Reading };
}
