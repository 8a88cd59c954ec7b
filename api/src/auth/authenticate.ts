import type { Context, MiddlewareHandler } from 'hono';
import { findApiKeyByPrefix, touchApiKey } from '../api-keys/api-keys.repository.ts';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';
import { badKeyPolicy, consumeFor, ipSubject, tooManyRequests } from '../lib/rate-limit.ts';
import { deleteSession, extendSession, findLiveSession } from './auth.repository.ts';
import { SCOPES, type Scope } from './auth-context.ts';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './session-cookie.ts';
import { apiKeyPrefix, looksLikeApiKey, sameHash, sha256 } from './tokens.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How stale `last_used_at` may get before it is written again: one write a minute, not per call. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;

export const WWW_AUTHENTICATE = 'Bearer realm="chartroom"';

/** 401 with the challenge RFC 9110 requires, naming both ways to authenticate. */
export function unauthorized(c: Context<AppEnv>, detail: string, error?: 'invalid_token') {
  return problem(c, 401, detail, {
    headers: {
      'WWW-Authenticate': error ? `${WWW_AUTHENTICATE}, error="${error}"` : WWW_AUTHENTICATE,
    },
  });
}

/**
 * Works out who is calling: an API key in `Authorization: Bearer …`, else the session cookie.
 * A bad key is refused at once; a stale cookie just makes the caller anonymous. Every request
 * reads the database, so a revoked key or ended session stops working on every instance at once.
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('auth', null);
    const { db } = c.var;
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
      if (!key || !looksLikeApiKey(key)) {
        return unauthorized(
          c,
          'The Authorization header must be "Bearer <API key>".',
          'invalid_token',
        );
      }
      const found = await findApiKeyByPrefix(db, apiKeyPrefix(key));
      if (!found || !sameHash(sha256(key), found.secret_hash)) {
        // Each wrong key cost a lookup: an address that keeps guessing is slowed to the limit.
        // Only failures count, so a good key always works and costs no extra write.
        const failures = await consumeFor(c, badKeyPolicy, ipSubject(c));
        if (!failures.allowed) return tooManyRequests(c, badKeyPolicy, failures);
        return unauthorized(c, 'The API key is invalid or has been revoked.', 'invalid_token');
      }
      c.set('auth', {
        user: {
          id: found.id,
          email: found.email,
          display_name: found.display_name,
          created_at: found.created_at,
        },
        via: 'api_key',
        scopes: found.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
        apiKeyId: found.key_id,
      });
      if (
        !found.last_used_at ||
        Date.now() - found.last_used_at.getTime() > LAST_USED_RESOLUTION_MS
      ) {
        await touchApiKey(db, found.key_id);
      }
      return next();
    }

    const token = readSessionCookie(c);
    if (token) {
      const tokenHash = sha256(token);
      const session = await findLiveSession(db, tokenHash);
      if (session) {
        const { expires_at, ...user } = session;
        c.set('auth', { user, via: 'session', scopes: [...SCOPES], sessionTokenHash: tokenHash });
        // Sliding expiry: an active session lives on, renewed at most once a day.
        const ttl = c.var.config.SESSION_TTL_DAYS * DAY_MS;
        if (expires_at.getTime() - Date.now() < ttl - DAY_MS) {
          const expires = new Date(Date.now() + ttl);
          await extendSession(db, tokenHash, expires);
          writeSessionCookie(c, token, expires);
        }
      } else {
        await deleteSession(db, tokenHash);
        clearSessionCookie(c);
      }
    }
    await next();
  };
}

/**
 * Guards an operation: 401 for anonymous callers, 403 when an API key lacks the scope the
 * operation needs (GET needs `read`, everything else `write`) or when only a session may call it.
 */
export function requireAuth(options: {
  scope: Scope;
  sessionOnly?: boolean;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.var.auth;
    if (!auth) {
      return unauthorized(c, 'Log in, or send an API key as "Authorization: Bearer <key>".');
    }
    if (options.sessionOnly && auth.via !== 'session') {
      return problem(
        c,
        403,
        'This operation is only available to a logged-in session, not to API keys.',
      );
    }
    if (!auth.scopes.includes(options.scope)) {
      return problem(
        c,
        403,
        `This API key lacks the "${options.scope}" scope this operation needs. Create a key with that scope.`,
      );
    }
    await next();
  };
}
