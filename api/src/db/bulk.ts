import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PGliteThread } from './pglite-thread.ts';

/**
 * COPY's text format with a chosen delimiter and null marker: a CSV's own delimiter and `''`
 * let plain CSV lines go to COPY untouched.
 */
export interface CopyFormat {
  delimiter: '\t' | ',' | ';';
  null: '\\N' | '';
}

export const TAB_SEPARATED: CopyFormat = { delimiter: '\t', null: '\\N' };

/** A file of whole lines in COPY's text format, and where it may be cut. */
export interface CopyFile {
  path: string;
  boundaries: number[];
  format: CopyFormat;
}

/** One transaction on one connection, with COPY: what an import needs to be fast and atomic. */
export interface BulkSession {
  execute<R = Record<string, unknown>>(query: CompiledQuery): Promise<R[]>;
  /** Loads a file in COPY's text format (tab-separated, `\N` for null) into `table`'s `columns`. */
  copyFile(table: string, columns: string[], file: CopyFile, fresh?: FreshTable): Promise<void>;
  /**
   * A COPY to write to while rows still arrive, so reading and loading overlap; only where the
   * driver streams (pg). PGlite answers `undefined`.
   */
  openCopy(
    table: string,
    columns: string[],
    format: CopyFormat,
    fresh?: FreshTable,
  ): CopyWriter | undefined;
}

/**
 * The table was created in this transaction: its rows can be written already frozen (COPY
 * FREEZE), so the index build and statistics scan that follow do not rewrite every page.
 */
export type FreshTable = 'fresh table';

export interface CopyWriter {
  write(bytes: Buffer): Promise<void>;
  end(): Promise<void>;
  /** Cancels the COPY; the transaction must then roll back. */
  abort(): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** COPY statements are built as text; only identifiers we generated may appear in them. */
function copyStatement(
  table: string,
  columns: string[],
  source: string,
  format: CopyFormat,
  fresh?: FreshTable,
): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a generated identifier: ${name}`);
  }
  const statement = `copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from ${source}`;
  // Literals from a closed set, never from input.
  const delimiter = { '\t': "E'\\t'", ',': "','", ';': "';'" }[format.delimiter];
  const nullMark = format.null === '' ? "''" : "E'\\\\N'";
  const freeze = fresh ? ', freeze' : '';
  return `${statement} with (delimiter ${delimiter}, null ${nullMark}${freeze})`;
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  ',': '\\,',
  ';': '\\;',
};

/** What must be escaped for each delimiter: backslash, line breaks and the delimiter. */
const SPECIAL: Record<CopyFormat['delimiter'], RegExp> = {
  '\t': /[\\\n\r\t]/g,
  ',': /[\\\n\r\t,]/g,
  ';': /[\\\n\r\t;]/g,
};

const NEWLINE = 10;
const CHUNK_BYTES = 1024 * 1024;
const QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Writes rows in COPY's text format straight into byte buffers: no string per row, no string
 * per chunk, which matters at a million rows. `take()` hands over the filled bytes.
 */
export class CopyTextEncoder {
  #buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #offset = 0;
  readonly #delimiter: number;
  readonly #nullMark: Buffer;
  readonly #special: RegExp;

  constructor(format: CopyFormat = TAB_SEPARATED) {
    this.#delimiter = format.delimiter.charCodeAt(0);
    this.#nullMark = Buffer.from(format.null);
    this.#special = SPECIAL[format.delimiter];
  }

  get full(): boolean {
    return this.#offset > CHUNK_BYTES - 64 * 1024;
  }

  addRow(values: (string | null)[]): void {
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.#byte(this.#delimiter);
      const value = values[i];
      if (value === null || value === undefined) {
        this.#room(this.#nullMark.length);
        this.#offset += this.#nullMark.copy(this.#buffer, this.#offset);
        continue;
      }
      const special = this.#special;
      special.lastIndex = 0;
      const text = special.test(value) ? value.replace(special, (c) => ESCAPES[c] ?? c) : value;
      this.#room(text.length * 3);
      this.#offset += this.#buffer.write(text, this.#offset, 'utf8');
    }
    this.#byte(NEWLINE);
  }

  take(): Buffer {
    const filled = this.#buffer.subarray(0, this.#offset);
    this.#buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.#offset = 0;
    return filled;
  }

  #byte(value: number) {
    this.#room(1);
    this.#buffer[this.#offset++] = value;
  }

  /** Grows the buffer when one long value would not fit. */
  #room(bytes: number) {
    if (this.#offset + bytes <= this.#buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#offset + bytes));
    this.#buffer.copy(bigger, 0, 0, this.#offset);
    this.#buffer = bigger;
  }
}

/**
 * Cuts a client's connection: its pending query fails at once ("Connection terminated"), where
 * waiting for a frozen server to answer could take minutes. pg has no public call for it.
 */
function cutConnection(client: pg.PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection
    ?.stream;
  stream?.destroy();
}

export async function pgBulkSession<T>(
  pool: pg.Pool,
  work: (session: BulkSession) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const cut = () => {
    broken = true;
    cutConnection(client);
  };
  if (signal?.aborted) cut();
  signal?.addEventListener('abort', cut, { once: true });
  try {
    await client.query('begin');
    const result = await work({
      execute: async <R>(query: CompiledQuery) =>
        (await client.query(query.sql, query.parameters as unknown[])).rows as R[],
      copyFile: async (table, columns, file, fresh) => {
        await pipeline(
          createReadStream(file.path, { highWaterMark: 1024 * 1024 }),
          client.query(copyFrom(copyStatement(table, columns, 'stdin', file.format, fresh))),
        );
      },
      openCopy: (table, columns, format, fresh) => {
        // A few MB may wait for the server, so the next rows are read while it loads these.
        const stream = client.query(
          copyFrom(copyStatement(table, columns, 'stdin', format, fresh), {
            highWaterMark: QUEUE_BYTES,
          }),
        );
        let failure: Error | undefined;
        // A lost connection shows as an 'error' event on the COPY stream, which is not destroyed
        // for it: `finished` called after that would wait forever, so every wait races this.
        const failed = new Promise<never>((_, reject) => {
          stream.on('error', (error) => {
            failure ??= error;
            reject(error);
          });
        });
        failed.catch(() => {});
        return {
          write: async (bytes) => {
            if (failure) throw failure;
            // `once` also rejects on 'error', and leaves no listener behind either way.
            if (!stream.write(bytes)) await once(stream, 'drain');
          },
          end: async () => {
            if (failure) throw failure;
            stream.end();
            await Promise.race([finished(stream), failed]);
          },
          abort: async () => {
            // Once the COPY failed there is nothing to cancel, and no answer to CopyFail would come.
            if (failure) return;
            stream.destroy(new Error('import switched to the two-pass path'));
            await Promise.race([finished(stream), failed]).catch(() => {});
          },
        };
      },
    });
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    signal?.removeEventListener('abort', cut);
    // A connection whose rollback failed, or that was cut, is in an unknown state: throw it away.
    client.release(broken);
  }
}

/**
 * The import session on the embedded database's thread: one transaction (the caller holds the
 * session's lock), and COPY from a Blob the worker opens itself, one slice between line
 * boundaries at a time, so a large file is read a few MB at a time and never crosses threads.
 */
export async function pgliteBulkSession<T>(
  thread: PGliteThread,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  await thread.query('begin', []);
  try {
    const result = await work({
      execute: async <R>(query: CompiledQuery) =>
        (await thread.query(query.sql, query.parameters)).rows as R[],
      copyFile: async (table, columns, file, fresh) => {
        const statement = copyStatement(table, columns, "'/dev/blob'", file.format, fresh);
        for (let i = 1; i < file.boundaries.length; i++) {
          const start = file.boundaries[i - 1] as number;
          const end = file.boundaries[i] as number;
          if (end > start) await thread.query(statement, [], { path: file.path, start, end });
        }
      },
      openCopy: () => undefined,
    });
    await thread.query('commit', []);
    return result;
  } catch (error) {
    await thread.query('rollback', []).catch(() => {});
    throw error;
  }
}
