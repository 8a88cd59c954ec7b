import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
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
    };
  }
  const dataDir = options.dataDir;
  if (dataDir !== 'memory://' && !dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
  return {
    db: new Kysely<Database>({
      dialect: new PGliteDialect({ pglite: () => PGlite.create(dataDir) }),
    }),
    kind: 'pglite',
    description: dataDir === 'memory://' ? 'pglite (in memory)' : `pglite (${dataDir})`,
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
