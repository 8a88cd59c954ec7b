import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, type DatabaseKind, openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';

/** PGlite always; a real PostgreSQL server too when DATABASE_URL names one (as CI does). */
export const testEngines: DatabaseKind[] = process.env.DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

export interface TestDatabase {
  kind: DatabaseKind;
  db: Kysely<Database>;
  handle: DatabaseHandle;
  /** Connection string of the fresh PostgreSQL database (postgres engine only). */
  url?: string;
  close: () => Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database: PGlite in memory, or a freshly created database on the PostgreSQL
 * server, so test files running in parallel never see each other's rows.
 */
export async function openTestDatabase(
  kind: DatabaseKind,
  { migrate = true }: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const handle = openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    const { db } = handle;
    // Opened: PGlite starts on its own thread in seconds, and a test's first timed check
    // (/ready) should meet a database that is up, as a deployed one would be.
    await sql`select 1`.execute(db);
    if (migrate) await migrateToLatest(db);
    return { kind, db, handle, close: () => db.destroy() };
  }
  const name = `chartroom_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const handle = openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 5 });
  const { db } = handle;
  if (migrate) await migrateToLatest(db);
  return {
    kind,
    db,
    handle,
    url: url.toString(),
    close: async () => {
      await db.destroy();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
