import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuthUser } from './auth-context.ts';

type Db = Kysely<Database>;

const USER_COLUMNS = ['users.id', 'users.email', 'users.display_name', 'users.created_at'] as const;

export class EmailTakenError extends Error {}

export async function insertUser(
  db: Db,
  user: { email: string; display_name: string; password_hash: string },
): Promise<AuthUser> {
  try {
    return await db
      .insertInto('users')
      .values(user)
      .returning(['id', 'email', 'display_name', 'created_at'])
      .executeTakeFirstOrThrow();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new EmailTakenError();
    throw error;
  }
}

export function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'users.password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
}

export function findUserPasswordHash(db: Db, userId: string) {
  return db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
}

export async function updateUser(
  db: Db,
  userId: string,
  changes: { display_name?: string; password_hash?: string },
): Promise<AuthUser> {
  return db
    .updateTable('users')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', userId)
    .returning(['id', 'email', 'display_name', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Sessions one account may hold at once (browsers, devices); a new one ends the oldest. */
export const MAX_SESSIONS_PER_USER = 10;

export async function createSession(
  db: Db,
  session: { token_hash: string; user_id: string; expires_at: Date },
): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
  // Logging in again keeps other devices signed in, but a script that logs in in a loop (or a
  // stolen password used again and again) cannot pile up sessions without bound.
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', session.user_id)
    .where('token_hash', '<>', session.token_hash)
    .where('token_hash', 'not in', (eb) =>
      eb
        .selectFrom('sessions')
        .select('token_hash')
        .where('user_id', '=', session.user_id)
        .where('token_hash', '<>', session.token_hash)
        .orderBy('created_at', 'desc')
        .orderBy('token_hash')
        .limit(MAX_SESSIONS_PER_USER - 1),
    )
    .execute();
}

export function findLiveSession(db: Db, tokenHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([...USER_COLUMNS, 'sessions.expires_at'])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function extendSession(db: Db, tokenHash: string, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ expires_at: expiresAt })
    .where('token_hash', '=', tokenHash)
    .execute();
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every session of a user: after a password change, no old cookie works. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<=', new Date()).execute();
}
