import { loadConfig } from '../config.ts';
import { databaseOptionsFromConfig, openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';

const config = loadConfig();
const { db, description } = openDatabase(databaseOptionsFromConfig(config));
try {
  const { results = [] } = await migrateToLatest(db);
  for (const result of results) console.log(`${result.status}: ${result.migrationName}`);
  console.log(results.length ? `migrated ${description}` : `${description} is up to date`);
} finally {
  await db.destroy();
}
