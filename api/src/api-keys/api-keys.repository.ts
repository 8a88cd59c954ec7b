import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

const LISTED_COLUMNS = ['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at'] as const;

/** Most keys one account may hold: enough for every script and service, never unbounded. */
export const MAX_API_KEYS = 50;

/**
 * Stores a new key unless its owner already holds MAX_API_KEYS (then undefined). The owner's
 * row is locked while counting, so simultaneous requests cannot pass the limit together.
 */
export function insertApiKey(
  db: Db,
  key: { user_id: string; name: string; prefix: string; secret_hash: string; scopes: string[] },
) {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('users').select('id').where('id', '=', key.user_id).forUpdate().execute();
    const { n } = await trx
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', key.user_id)
      .executeTakeFirstOrThrow();
    if (Number(n) >= MAX_API_KEYS) return undefined;
    return trx
      .insertInto('api_keys')
      .values(key)
      .returning([...LISTED_COLUMNS])
      .executeTakeFirstOrThrow();
  });
}

export function listApiKeys(db: Db, userId: string) {
  return db
    .selectFrom('api_keys')
    .select([...LISTED_COLUMNS])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** The key with this prefix, with its owner: what a Bearer request is checked against. */
export function findApiKeyByPrefix(db: Db, prefix: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.secret_hash',
      'api_keys.scopes',
      'api_keys.last_used_at',
      'users.id',
      'users.email',
      'users.display_name',
      'users.created_at',
    ])
    .where('api_keys.prefix', '=', prefix)
    .executeTakeFirst();
}

export async function touchApiKey(db: Db, id: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

/** Deletes the key if this user owns it; `false` when there is no such key of theirs. */
export async function deleteApiKey(db: Db, id: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('api_keys')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Revokes every key of a user: after a password change, no key made before it works. */
export async function deleteUserApiKeys(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('api_keys').where('user_id', '=', userId).execute();
}
