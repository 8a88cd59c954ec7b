// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { ConfigError, loadConfig } from '../config.ts';
import { databaseOptionsFromConfig, migrationOptions, openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

try {
  const config = loadConfig();
  const { db, description } = openDatabase(migrationOptions(databaseOptionsFromConfig(config)));
  try {
    const { results = [] } = await migrateToLatest(db);
    for (const result of results) console.log(`${result.status}: ${result.migrationName}`);
    console.log(results.length ? `migrated ${description}` : `${description} is up to date`);
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    console.error(`Migrating ${description} failed: ${reason}`);
    process.exitCode = 1;
  } finally {
    await db.destroy();
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
