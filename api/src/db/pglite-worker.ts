import { openAsBlob } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/**
 * Embedded PostgreSQL on a thread of its own: PGlite runs each query synchronously in WASM, so
 * on the API's thread one heavy chart or import would stop every other request (and /health)
 * until it ends. Here it only occupies this thread; the API thread sends queries as messages
 * (see pglite-thread.ts).
 */

export interface QueryMessage {
  id: number;
  sql: string;
  params: unknown[];
  /** A byte range of a file to COPY from ('/dev/blob'): the bulk import path. */
  copy?: { path: string; start: number; end: number };
}

/** Closes the database cleanly (a folder on disk is left consistent), then the thread ends. */
export interface CloseMessage {
  close: true;
}

export type AnswerMessage =
  | { id: number; rows: Record<string, unknown>[]; affectedRows?: number }
  | { id: number; error: Record<string, unknown> };

const port = parentPort;
if (!port) throw new Error('pglite-worker.ts runs as a worker thread');

/** Errors cross threads as plain objects: PostgreSQL's fields (code, detail…) must survive. */
function plainError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return { ...error, name: error.name, message: error.message, stack: error.stack };
}

const opening = PGlite.create(workerData.dataDir as string);
// A folder that cannot be opened answers every query with the reason, as before.
opening.catch(() => {});

async function close(): Promise<void> {
  const db = await opening.catch(() => undefined);
  if (db && !db.closed) await db.close();
  // Ends this thread only; the API goes on (or is itself stopping).
  process.exit(0);
}

port.on('message', async (message: QueryMessage | CloseMessage) => {
  if ('close' in message) return close();
  try {
    const db = await opening;
    const blob = message.copy
      ? (await openAsBlob(message.copy.path)).slice(message.copy.start, message.copy.end)
      : undefined;
    const result = await db.query<Record<string, unknown>>(message.sql, message.params, {
      rowMode: 'object',
      ...(blob ? { blob } : {}),
    });
    const answer: AnswerMessage = {
      id: message.id,
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { affectedRows: result.affectedRows } : {}),
    };
    port.postMessage(answer);
  } catch (error) {
    port.postMessage({ id: message.id, error: plainError(error) } satisfies AnswerMessage);
  }
});
