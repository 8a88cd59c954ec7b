import type { DatabaseHandle } from '../db/database.ts';
import { overlappedImport } from './import-overlap.ts';
import { loadFromFile, type NewDataset, type Reading, settle, startRun } from './import-run.ts';
import { type RowSource, spill } from './import-spill.ts';

export type { NewDataset };

/**
 * Creates a dataset from a source. Types are inferred from every value, never from a sample,
 * and the load is one transaction: all or nothing.
 *
 * On PostgreSQL the rows stream into COPY while they are still being read, with types guessed
 * from the first rows (import-overlap.ts); if the whole file agrees with the guess (nearly
 * always), reading and loading have overlapped. If not, that transaction rolls back and the
 * rows load again from the spill file with the types the whole file calls for. PGlite (one
 * session) reads everything first, so a slow upload never holds the embedded database.
 */
export async function importDataset(handle: DatabaseHandle, spec: NewDataset, source: RowSource) {
  const run = startRun(handle, spec, source);
  let reading: Reading | undefined;
  try {
    if (handle.kind === 'postgres') {
      const overlapped = await overlappedImport(run);
      reading = overlapped.reading;
      if (overlapped.id !== undefined) return overlapped.id;
      // The guess was wrong somewhere: that transaction rolled nothing in. Load from the file.
      return await loadFromFile(run, reading);
    }
    const read = await spill(run.source, run.observe);
    reading = { file: read.file, rows: 0, columns: [], distinct: [] };
    reading = settle(run, read.file, read.rows);
    return await loadFromFile(run, reading);
  } finally {
    await reading?.file.remove();
  }
}
