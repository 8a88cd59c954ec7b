import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testEngines } from '../../test/support/databases.ts';
import type { Auth } from './auth-context.ts';
import { canChange, canRead, listedFor, type Visibility } from './ownership.ts';

const auth = (id: string): Auth => ({
  user: { id, email: `${id}@example.com`, display_name: id, created_at: new Date() },
  via: 'session',
  scopes: ['read', 'write'],
});
const owner = auth('owner');
const stranger = auth('stranger');

describe('canRead and canChange', () => {
  const cases: [Visibility, Auth | null, boolean, boolean][] = [
    ['private', owner, true, true],
    ['private', stranger, false, false],
    ['private', null, false, false],
    ['unlisted', owner, true, true],
    ['unlisted', stranger, true, false],
    ['unlisted', null, true, false],
    ['public', owner, true, true],
    ['public', stranger, true, false],
    ['public', null, true, false],
  ];
  it.each(cases)(
    'a %s resource, caller %o: read %s, change %s',
    (visibility, caller, read, change) => {
      const resource = { owner_id: 'owner', visibility };
      expect(canRead(caller, resource)).toBe(read);
      expect(canChange(caller, resource)).toBe(change);
    },
  );
});

describe.each(testEngines)('listedFor on %s', (engine) => {
  let database: TestDatabase;
  let db: Kysely<{ things: { name: string; owner_id: string; visibility: string } }>;
  const me = randomUUID();
  const other = randomUUID();
  beforeAll(async () => {
    database = await openTestDatabase(engine, { migrate: false });
    db = database.db as unknown as typeof db;
    await sql`create table things (name text, owner_id uuid, visibility text)`.execute(db);
    await db
      .insertInto('things')
      .values([
        { name: 'my private', owner_id: me, visibility: 'private' },
        { name: 'my unlisted', owner_id: me, visibility: 'unlisted' },
        { name: 'their private', owner_id: other, visibility: 'private' },
        { name: 'their unlisted', owner_id: other, visibility: 'unlisted' },
        { name: 'their public', owner_id: other, visibility: 'public' },
      ])
      .execute();
  });
  afterAll(() => database.close());

  const names = async (caller: Auth | null) =>
    (
      await db
        .selectFrom('things')
        .select('name')
        .where(listedFor(caller))
        .orderBy('name')
        .execute()
    ).map((row) => row.name);

  it('lists my own and everyone’s public resources, never others’ private or unlisted ones', async () => {
    expect(await names(auth(me))).toEqual(['my private', 'my unlisted', 'their public']);
    expect(await names(null)).toEqual(['their public']);
  });
});
