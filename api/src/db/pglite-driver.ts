import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PGliteDialect,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGliteThread } from './pglite-thread.ts';

/** Kysely's connection over the embedded database's thread: one session, as PGlite has. */
class ThreadConnection implements DatabaseConnection {
  readonly #thread: PGliteThread;

  constructor(thread: PGliteThread) {
    this.#thread = thread;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = await this.#thread.query(query.sql, query.parameters);
    return {
      rows: rows as R[],
      ...(affectedRows !== undefined ? { numAffectedRows: BigInt(affectedRows) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: PGlite cannot stream; Kysely asks only if called.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the embedded database');
  }
}

function beginSql(settings: TransactionSettings): string {
  const parts = ['begin'];
  if (settings.isolationLevel) parts.push(`isolation level ${settings.isolationLevel}`);
  if (settings.accessMode) parts.push(settings.accessMode);
  return parts.join(' ');
}

/**
 * Transactions are plain BEGIN/COMMIT/ROLLBACK on the one session; the caller (database.ts)
 * serializes connections, so no other request's query lands inside an open transaction.
 */
class ThreadDriver implements Driver {
  readonly #thread: PGliteThread;
  readonly #connection: ThreadConnection;

  constructor(thread: PGliteThread) {
    this.#thread = thread;
    this.#connection = new ThreadConnection(thread);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    await connection.executeQuery(CompiledQuery.raw(beginSql(settings)));
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.#thread.close();
  }
}

/** PGlite's SQL dialect (compiler, adapter, introspector) over a driver that uses the thread. */
export class PGliteThreadDialect extends PGliteDialect {
  readonly #thread: PGliteThread;
  readonly #wrap: (driver: Driver) => Driver;

  constructor(thread: PGliteThread, wrap: (driver: Driver) => Driver) {
    // The config's instance is never used: createDriver below replaces the driver that reads it.
    super({ pglite: () => Promise.reject(new Error('unused')) });
    this.#thread = thread;
    this.#wrap = wrap;
  }

  override createDriver(): Driver {
    return this.#wrap(new ThreadDriver(this.#thread));
  }
}
