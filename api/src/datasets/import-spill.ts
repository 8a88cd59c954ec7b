import { type CopyFormat, CopyTextEncoder, type CopyWriter } from '../db/bulk.ts';
import type { RawLines } from './csv-reader.ts';
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
export interface CellCheck {
  text(values: (string | null)[], at: number): void;
  raw(lines: RawLines): void;
}

const NUL = '\u0000';

export function where(source: RowSource, at: number, column?: string) {
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
export interface Overlap {
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
export async function spill(
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
