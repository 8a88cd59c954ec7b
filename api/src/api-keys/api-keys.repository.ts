import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

type Db = Kysely<Database>;

const LISTED_COLUMNS = ['id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at'] as const;

export function insertApiKey(
  db: Db,
  key: { user_id: string; name: string; prefix: string; secret_hash: string; scopes: string[] },
) {
  return db
    .insertInto('api_keys')
    .values(key)
    .returning([...LISTED_COLUMNS])
    .executeTakeFirstOrThrow();
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
