import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import { deleteUserApiKeys } from '../api-keys/api-keys.repository.ts';
import type { Database } from '../db/schema.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';
import {
  accountFailurePolicy,
  consumeFor,
  credentialPolicy,
  ipSubject,
  refund,
  tooManyRequests,
} from '../lib/rate-limit.ts';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  EmailTakenError,
  findUserByEmail,
  findUserPasswordHash,
  insertUser,
  updateUser,
} from './auth.repository.ts';
import type { getMe, login, logout, signup, updateMe } from './auth.routes.ts';
import { type Auth, type AuthUser, currentAuth } from './auth-context.ts';
import { unauthorized } from './authenticate.ts';
import { dummyHash, hashPassword, scryptParams, verifyPassword } from './passwords.ts';
import { clearSessionCookie, writeSessionCookie } from './session-cookie.ts';
import { newSessionToken, sha256 } from './tokens.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export function userBody(user: AuthUser) {
  return {
    id: user.id,
    email: user.email,
    display_name: user.display_name,
    created_at: user.created_at.toISOString(),
  };
}

function meBody(auth: Auth) {
  return { ...userBody(auth.user), authenticated_via: auth.via, scopes: auth.scopes };
}

async function startSession(
  c: Context<AppEnv>,
  userId: string,
  db: Kysely<Database> = c.var.db,
): Promise<void> {
  const { token, hash } = newSessionToken();
  const expires = new Date(Date.now() + c.var.config.SESSION_TTL_DAYS * DAY_MS);
  await createSession(db, { token_hash: hash, user_id: userId, expires_at: expires });
  writeSessionCookie(c, token, expires);
}

/**
 * An account's failure budget is named by its email (hashed), whether or not such an account
 * exists: a 429 here must say nothing about who has signed up.
 */
const accountSubject = (email: string) => sha256(email.toLowerCase()).slice(0, 32);

export const signupHandler: RouteHandler<typeof signup, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const params = scryptParams(c.var.config.PASSWORD_SCRYPT_LOG_N);
  const password_hash = await hashPassword(body.password, params);
  try {
    // The account and its first session are stored together or not at all.
    const user = await c.var.db.transaction().execute(async (trx) => {
      const created = await insertUser(trx, {
        email: body.email,
        display_name: body.display_name,
        password_hash,
      });
      await startSession(c, created.id, trx);
      return created;
    });
    return c.json(userBody(user), 201);
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    return problem(c, 409, 'An account with this email already exists. Log in instead.');
  }
};

export const loginHandler: RouteHandler<typeof login, AppEnv> = async (c) => {
  const { email, password } = c.req.valid('json');
  const { db, config } = c.var;
  // Counted before the check, so that concurrent guesses cannot all slip under the limit; a
  // right password gives its attempt back. Past the limit even the right one waits.
  const attempt = await consumeFor(c, accountFailurePolicy, accountSubject(email));
  if (!attempt.allowed) return tooManyRequests(c, accountFailurePolicy, attempt);
  const params = scryptParams(config.PASSWORD_SCRYPT_LOG_N);
  const user = await findUserByEmail(db, email);
  // Unknown emails are checked against a dummy hash: same work, same time, same answer.
  const check = await verifyPassword(
    password,
    user?.password_hash ?? (await dummyHash(params)),
    params,
  );
  if (!user || !check.ok) return unauthorized(c, 'The email or the password is wrong.');
  await refund(db, attempt);
  if (check.needsRehash) {
    await updateUser(db, user.id, { password_hash: await hashPassword(password, params) });
  }
  // A browser that logs in again replaces its own session rather than adding one.
  const previous = c.var.auth?.sessionTokenHash;
  if (previous) await deleteSession(db, previous);
  await startSession(c, user.id);
  // Now and then, sweep sessions that ran out, so the table does not grow without bound.
  if (Math.random() < 0.05) await deleteExpiredSessions(db);
  const { password_hash: _, ...account } = user;
  return c.json(userBody(account), 200);
};

export const logoutHandler: RouteHandler<typeof logout, AppEnv> = async (c) => {
  const hash = c.var.auth?.sessionTokenHash;
  if (hash) await deleteSession(c.var.db, hash);
  clearSessionCookie(c);
  return c.body(null, 204);
};

export const getMeHandler: RouteHandler<typeof getMe, AppEnv> = (c) =>
  c.json(meBody(currentAuth(c)), 200);

export const updateMeHandler: RouteHandler<typeof updateMe, AppEnv> = async (c) => {
  const auth = currentAuth(c);
  const body = c.req.valid('json');
  const { db, config } = c.var;
  const changes: { display_name?: string; password_hash?: string } = {};
  if (body.display_name !== undefined) changes.display_name = body.display_name;
  if (body.password !== undefined) {
    // The same budgets as log-in: per address, and per account (one stolen session cannot
    // guess the password to take the account over for good).
    const fromAddress = await consumeFor(c, credentialPolicy, ipSubject(c));
    if (!fromAddress.allowed) return tooManyRequests(c, credentialPolicy, fromAddress);
    const attempt = await consumeFor(c, accountFailurePolicy, accountSubject(auth.user.email));
    if (!attempt.allowed) return tooManyRequests(c, accountFailurePolicy, attempt);
    const params = scryptParams(config.PASSWORD_SCRYPT_LOG_N);
    const stored = await findUserPasswordHash(db, auth.user.id);
    const check = await verifyPassword(
      body.current_password ?? '',
      stored?.password_hash ?? '',
      params,
    );
    if (!check.ok) {
      const errors = [
        {
          loc: ['body', 'current_password'],
          msg: 'is not the current password',
          type: 'value_error',
        },
      ];
      return problem(c, 422, 'body.current_password: is not the current password', { errors });
    }
    await refund(db, attempt);
    changes.password_hash = await hashPassword(body.password, params);
  }
  const user = await db.transaction().execute(async (trx) => {
    const updated = Object.keys(changes).length
      ? await updateUser(trx, auth.user.id, changes)
      : auth.user;
    if (changes.password_hash) {
      // Every session of the account ends, wherever it is; this browser gets a fresh one. API
      // keys go too: whoever held the old password could have made one to outlive the change.
      await deleteUserSessions(trx, auth.user.id);
      await deleteUserApiKeys(trx, auth.user.id);
      await startSession(c, auth.user.id, trx);
    }
    return updated;
  });
  return c.json(meBody({ ...auth, user }), 200);
};
