import { type Kysely, sql } from 'kysely';
import { type MigrationResultSet, Migrator } from 'kysely/migration';
import { migrations } from './migrations/index.ts';

// Migrations work below the typed schema: they create it.
// biome-ignore lint/suspicious/noExplicitAny: Kysely's Migrator takes any database type.
type AnyKysely = Kysely<any>;

function migratorFor(db: AnyKysely): Migrator {
  // Kysely's Postgres adapter takes a session-level advisory lock around the whole run, so
  // several API instances starting at once apply each migration exactly once.
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: AnyKysely): Promise<MigrationResultSet> {
  const result = await migratorFor(db).migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** Names of known migrations the database has not applied yet. */
export async function pendingMigrations(db: AnyKysely): Promise<string[]> {
  const known = await migratorFor(db).getMigrations();
  return known.filter((migration) => !migration.executedAt).map((migration) => migration.name);
}

export async function ping(db: AnyKysely): Promise<void> {
  await sql`select 1`.execute(db);
}
