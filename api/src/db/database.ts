import { mkdirSync } from 'node:fs';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import { type BulkSession, pgBulkSession, pgliteBulkSession } from './bulk.ts';
import { PGliteThreadDialect } from './pglite-driver.ts';
import { PGliteThread } from './pglite-thread.ts';
import type { Reads } from './replica.ts';
import type { Database } from './schema.ts';

export type DatabaseOptions =
  | {
      kind: 'postgres';
      url: string;
      poolMax?: number;
      /** How long to wait for a connection, new or from a full pool, before failing. */
      connectTimeoutMs?: number;
      /**
       * PostgreSQL's statement_timeout for every query but the bulk (import) sessions', and the
       * time after which a query with no answer at all counts the server as unreachable.
       */
      queryTimeoutMs?: number;
    }
  | { kind: 'pglite'; dataDir: string };

export type DatabaseKind = DatabaseOptions['kind'];

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** A name for logs that never contains a password. */
  description: string;
  /**
   * Runs `work` in one transaction on one connection that can also stream rows in with COPY:
   * the import path. Commits when `work` resolves, rolls back when it throws.
   */
  bulk: <T>(work: (session: BulkSession) => Promise<T>, signal?: AbortSignal) => Promise<T>;
  /** Reads that tolerate a little lag, when a read replica is configured (see replica.ts). */
  reads?: Reads;
}

/** One at a time: PGlite has a single session, and Kysely's driver would otherwise let a
 * request's query run inside another request's open transaction. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  lock(): Promise<() => void> {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return acquired;
  }
}

function serialized(driver: Driver, mutex: Mutex): Driver {
  const releases = new WeakMap<DatabaseConnection, () => void>();
  return {
    init: () => driver.init(),
    acquireConnection: async () => {
      const release = await mutex.lock();
      const connection = await driver.acquireConnection();
      releases.set(connection, release);
      return connection;
    },
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    releaseConnection: async (connection) => {
      await driver.releaseConnection(connection);
      releases.get(connection)?.();
    },
    destroy: () => driver.destroy(),
  };
}

/** Bulk sessions waited too long for their share of the pool: answered as a 503. */
export class DatabaseBusyError extends Error {
  constructor() {
    super('too many imports are running at once');
    this.name = 'DatabaseBusyError';
  }
}

/** At most `size` holders at once; a waiter gives up after `waitMs`. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  take(waitMs: number): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(this.#releaser());
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(grant), 1);
        reject(new DatabaseBusyError());
      }, waitMs);
      this.#waiting.push(grant);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** How much longer than its statement_timeout a query may go without any answer. */
const UNREACHABLE_MARGIN_MS = 2_000;

/**
 * The pool as Kysely sees it: each query carries a client-side timeout, because a server cut
 * off by the network never sends the statement_timeout error. A connection that timed out so is
 * thrown away rather than handed to the next request.
 */
function poolWithQueryTimeout(pool: pg.Pool, timeoutMs: number): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let unreachable = false;
    const query = (text: unknown, values?: unknown) => {
      // Cursors (streamed queries) pass through; everything else is text and parameters.
      if (typeof text !== 'string') return client.query(text as pg.QueryConfig);
      // pg reads `query_timeout` from a query's config; its types leave it out.
      const config = { text, values: values as unknown[], query_timeout: timeoutMs };
      return client.query(config as pg.QueryConfig).catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Query read timeout') unreachable = true;
        throw error;
      });
    };
    return {
      get processID() {
        return (client as { processID?: number }).processID;
      },
      query: query as unknown as PostgresPoolClient['query'],
      release: (destroy) => client.release(destroy || unreachable),
    };
  };
  return {
    options: pool.options,
    connect: async () => {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (!wrapped) {
        wrapped = wrap(client);
        clients.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}

/**
 * Opens the one Kysely instance the API uses: a pg Pool for a real server, or embedded
 * PGlite (a folder on disk, or `memory://`) when no DATABASE_URL is set.
 */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.kind === 'postgres') {
    const poolMax = options.poolMax ?? 10;
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    const queryTimeoutMs = options.queryTimeoutMs;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: poolMax,
      connectionTimeoutMillis: connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      // Notices a server that vanished without closing its connections (a network cut).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...(queryTimeoutMs ? { statement_timeout: queryTimeoutMs } : {}),
    });
    // An idle client losing its server (restart, failover) must not crash the process.
    pool.on('error', () => {});
    // Nor one that a request holds: its query fails (a 503), but pg also emits 'error' on the
    // client, and Kysely listens for none. The pool then discards it, as it is not queryable.
    pool.on('connect', (client) => client.on('error', () => {}));
    // Imports hold a connection while their upload arrives: they get half the pool at most,
    // so slow uploads can never leave the other requests without a connection.
    const bulkSlots = new Slots(Math.max(1, Math.floor(poolMax / 2)));
    const url = new URL(options.url);
    return {
      db: new Kysely<Database>({
        dialect: new PostgresDialect({
          pool: queryTimeoutMs
            ? poolWithQueryTimeout(pool, queryTimeoutMs + UNREACHABLE_MARGIN_MS)
            : pool,
        }),
      }),
      kind: 'postgres',
      description: `postgres://${url.host}${url.pathname}`,
      bulk: async (work, signal) => {
        const release = await bulkSlots.take(connectTimeoutMs);
        try {
          return await pgBulkSession(
            pool,
            async (session) => {
              // An import runs as long as its upload: bounded by the HTTP timeouts instead.
              if (queryTimeoutMs)
                await session.execute(CompiledQuery.raw('set local statement_timeout = 0'));
              return work(session);
            },
            signal,
          );
        } finally {
          release();
        }
      },
    };
  }
  const dataDir = options.dataDir;
  if (dataDir !== 'memory://' && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  // Off the API's thread: a heavy query there would stop every other request (pglite-worker.ts).
  const thread = new PGliteThread(dataDir);
  const mutex = new Mutex();
  return {
    db: new Kysely<Database>({
      dialect: new PGliteThreadDialect(thread, (driver) => serialized(driver, mutex)),
    }),
    kind: 'pglite',
    description: dataDir === 'memory://' ? 'pglite (in memory)' : `pglite (${dataDir})`,
    bulk: async (work) => {
      const release = await mutex.lock();
      try {
        return await pgliteBulkSession(thread, work);
      } finally {
        release();
      }
    },
  };
}

export function databaseOptionsFromConfig(config: {
  DATABASE_URL?: string | undefined;
  DATABASE_POOL_MAX: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  QUERY_TIMEOUT_MS: number;
  PGLITE_DATA_DIR: string;
}): DatabaseOptions {
  return config.DATABASE_URL
    ? {
        kind: 'postgres',
        url: config.DATABASE_URL,
        poolMax: config.DATABASE_POOL_MAX,
        connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
        queryTimeoutMs: config.QUERY_TIMEOUT_MS,
      }
    : { kind: 'pglite', dataDir: config.PGLITE_DATA_DIR };
}

/**
 * Migrations may run longer than any request (an index on a large table) and wait for another
 * instance's advisory lock: they get one connection of their own, without the query timeout.
 */
export function migrationOptions(options: DatabaseOptions): DatabaseOptions {
  return options.kind === 'postgres'
    ? { ...options, poolMax: 1, queryTimeoutMs: undefined }
    : options;
}

/**
 * The handle, with its imports tied to a request: when the client goes away (a 408, a closed
 * connection), the import's connection is cut at once, rather than held, with its import slot,
 * until a stuck database answers.
 */
export function withRequestSignal(handle: DatabaseHandle, signal: AbortSignal): DatabaseHandle {
  return { ...handle, bulk: (work) => handle.bulk(work, signal) };
}
