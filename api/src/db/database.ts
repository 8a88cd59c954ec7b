import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  PGliteDialect,
  PostgresDialect,
} from 'kysely';
import pg from 'pg';
import { type BulkSession, pgBulkSession, pgliteBulkSession } from './bulk.ts';
import type { Reads } from './replica.ts';
import type { Database } from './schema.ts';

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolMax?: number }
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
  bulk: <T>(work: (session: BulkSession) => Promise<T>) => Promise<T>;
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

/**
 * Opens the one Kysely instance the API uses: a pg Pool for a real server, or embedded
 * PGlite (a folder on disk, or `memory://`) when no DATABASE_URL is set.
 */
export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server (restart, failover) must not crash the process.
    pool.on('error', () => {});
    const url = new URL(options.url);
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      kind: 'postgres',
      description: `postgres://${url.host}${url.pathname}`,
      bulk: (work) => pgBulkSession(pool, work),
    };
  }
  const dataDir = options.dataDir;
  if (dataDir !== 'memory://' && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  const instance = PGlite.create(dataDir);
  // Failing to open is reported by the first query that awaits it, not as a stray rejection.
  instance.catch(() => {});
  const mutex = new Mutex();
  class SerializedPGliteDialect extends PGliteDialect {
    override createDriver(): Driver {
      return serialized(super.createDriver(), mutex);
    }
  }
  return {
    db: new Kysely<Database>({ dialect: new SerializedPGliteDialect({ pglite: () => instance }) }),
    kind: 'pglite',
    description: dataDir === 'memory://' ? 'pglite (in memory)' : `pglite (${dataDir})`,
    bulk: async (work) => {
      const release = await mutex.lock();
      try {
        return await pgliteBulkSession(await instance, work);
      } finally {
        release();
      }
    },
  };
}

export function databaseOptionsFromConfig(config: {
  DATABASE_URL?: string | undefined;
  DATABASE_POOL_MAX: number;
  PGLITE_DATA_DIR: string;
}): DatabaseOptions {
  return config.DATABASE_URL
    ? { kind: 'postgres', url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX }
    : { kind: 'pglite', dataDir: config.PGLITE_DATA_DIR };
}
