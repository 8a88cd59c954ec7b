import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testEngines } from '../../test/support/databases.ts';
import { openDatabase } from './database.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';
import { migrations } from './migrations/index.ts';

describe.each(testEngines)('migrations on %s', (engine) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('apply every migration once, and a second run changes nothing', async () => {
    database = await openTestDatabase(engine, { migrate: false });
    expect(await pendingMigrations(database.db)).toEqual(Object.keys(migrations));
    const first = await migrateToLatest(database.db);
    expect(first.results?.map((r) => r.status)).toEqual(
      Object.keys(migrations).map(() => 'Success'),
    );
    expect(await pendingMigrations(database.db)).toEqual([]);
    const second = await migrateToLatest(database.db);
    expect(second.results).toEqual([]);
  });

  it('create a users table whose emails are unique whatever their case', async () => {
    database = await openTestDatabase(engine);
    const { db } = database;
    await db
      .insertInto('users')
      .values({ email: 'Ann@example.com', display_name: 'Ann', password_hash: 'x' })
      .execute();
    await expect(
      db
        .insertInto('users')
        .values({ email: 'ann@EXAMPLE.com', display_name: 'Ann 2', password_hash: 'x' })
        .execute(),
    ).rejects.toThrow(/users_email_lower_key/);
  });
});

describe.runIf(testEngines.includes('postgres'))(
  'migrations on postgres, several instances',
  () => {
    it('apply once when several API instances start at the same moment', async () => {
      const database = await openTestDatabase('postgres', { migrate: false });
      const url = database.url as string;
      const instances = [1, 2, 3].map(() => openDatabase({ kind: 'postgres', url }).db);
      try {
        const results = await Promise.all(instances.map((db) => migrateToLatest(db)));
        const applied = results.flatMap((r) => r.results ?? []).map((r) => r.migrationName);
        expect(applied.sort()).toEqual(Object.keys(migrations).sort());
        const rows = await sql<{
          n: number;
        }>`select count(*)::int as n from kysely_migration`.execute(database.db);
        expect(rows.rows[0]?.n).toBe(Object.keys(migrations).length);
      } finally {
        await Promise.all(instances.map((db) => db.destroy()));
        await database.close();
      }
    });
  },
);
