import { Worker } from 'node:worker_threads';
import type { AnswerMessage, CloseMessage, QueryMessage } from './pglite-worker.ts';

export interface ThreadResult {
  rows: Record<string, unknown>[];
  affectedRows?: number;
}

interface Pending {
  resolve: (result: ThreadResult) => void;
  reject: (error: Error) => void;
}

/** An error as the worker saw it, with PostgreSQL's fields (code, detail, position…) on it. */
function revive(fields: Record<string, unknown>): Error {
  const error = new Error(String(fields.message ?? 'the embedded database failed'));
  Object.assign(error, fields);
  return error;
}

/**
 * The API thread's side of the embedded database (pglite-worker.ts): queries go out as
 * messages and their answers come back, so the API thread never runs one itself. A worker that
 * dies takes its answers with it: what was waiting fails, and so does everything after, clearly,
 * rather than hanging; an embedded database in memory cannot be brought back anyway.
 */
export class PGliteThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #stopped: Error | undefined;
  #closing: Promise<void> | undefined;

  constructor(dataDir: string) {
    this.#worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), {
      workerData: { dataDir },
    });
    this.#worker.on('message', (answer: AnswerMessage) => {
      const pending = this.#pending.get(answer.id);
      if (!pending) return;
      this.#pending.delete(answer.id);
      if ('error' in answer) pending.reject(revive(answer.error));
      else pending.resolve(answer);
    });
    this.#worker.on('error', (error: unknown) =>
      this.#stop(error instanceof Error ? error : new Error(String(error))),
    );
    this.#worker.on('exit', (code) =>
      this.#stop(new Error(`the embedded database's thread stopped (exit code ${code})`)),
    );
  }

  query(
    sql: string,
    params: readonly unknown[],
    copy?: QueryMessage['copy'],
  ): Promise<ThreadResult> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const message: QueryMessage = { id, sql, params: [...params], ...(copy ? { copy } : {}) };
      this.#worker.postMessage(message);
    });
  }

  /** Closes the database (a folder on disk stays consistent) and ends the thread. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.#stopped) return resolve();
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage({ close: true } satisfies CloseMessage);
    });
    return this.#closing;
  }

  #stop(reason: Error): void {
    this.#stopped ??= reason;
    for (const pending of this.#pending.values()) pending.reject(this.#stopped);
    this.#pending.clear();
  }
}
