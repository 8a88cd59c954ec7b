import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** One transaction on one connection, with COPY: what an import needs to be fast and atomic. */
export interface BulkSession {
  execute<R = Record<string, unknown>>(query: CompiledQuery): Promise<R[]>;
  /**
   * Streams rows into `table` with `COPY … FROM STDIN` in text format: each chunk holds whole
   * lines of tab-separated values, `\N` for null (see `copyTextLine`).
   */
  copyFrom(table: string, columns: string[], chunks: AsyncIterable<string>): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** COPY statements are built as text; only identifiers we generated may appear in them. */
function copyStatement(table: string, columns: string[], source: string): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a generated identifier: ${name}`);
  }
  return `copy "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) from ${source}`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One line of COPY's text format. */
export function copyTextLine(values: (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) line += '\t';
    line +=
      value === null || value === undefined
        ? '\\N'
        : value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c] ?? c);
  }
  return `${line}\n`;
}

export async function pgBulkSession<T>(
  pool: pg.Pool,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    const result = await work({
      execute: async <R>(query: CompiledQuery) =>
        (await client.query(query.sql, query.parameters as unknown[])).rows as R[],
      copyFrom: async (table, columns, chunks) => {
        await pipeline(
          Readable.from(chunks),
          client.query(copyFrom(copyStatement(table, columns, 'stdin'))),
        );
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
    // A connection whose rollback failed is in an unknown state: throw it away.
    client.release(broken);
  }
}

/** PGlite has no COPY FROM STDIN; it copies from a Blob, so rows go in blobs of a few MB. */
const PGLITE_BLOB_CHARS = 4 * 1024 * 1024;

export function pgliteBulkSession<T>(
  pglite: PGlite,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  return pglite.transaction(async (tx: Transaction) =>
    work({
      execute: async <R>(query: CompiledQuery) =>
        (await tx.query<R>(query.sql, query.parameters as unknown[])).rows,
      copyFrom: async (table, columns, chunks) => {
        const statement = copyStatement(table, columns, "'/dev/blob'");
        let batch: string[] = [];
        let size = 0;
        const flush = async () => {
          if (size === 0) return;
          await tx.query(statement, [], { blob: new Blob(batch) });
          batch = [];
          size = 0;
        };
        for await (const chunk of chunks) {
          batch.push(chunk);
          size += chunk.length;
          if (size >= PGLITE_BLOB_CHARS) await flush();
        }
        await flush();
      },
    }),
  );
}
