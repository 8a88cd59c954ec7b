import type { Context, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { AppEnv } from './app-env.ts';
import { clientIp } from './client-ip.ts';
import { problem } from './problem.ts';

export interface RateLimitRule {
  /** Names the policy in the RateLimit headers and in stored bucket names. */
  name: string;
  windowSeconds: number;
  limit: (config: Config) => number;
  /** Who is counted: a key id, a session, or the client's address. */
  subject: (c: Context<AppEnv>) => string;
}

/** Counts one hit in the current fixed window; the count lives in PostgreSQL, shared by instances. */
export async function hit(
  db: Kysely<Database>,
  bucket: string,
  windowSeconds: number,
): Promise<{ hits: number; resetSeconds: number }> {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  const row = await db
    .insertInto('rate_limits')
    .values({ bucket, window_start: windowStart, hits: 1 })
    .onConflict((oc) =>
      oc.columns(['bucket', 'window_start']).doUpdateSet((eb) => ({
        hits: eb('rate_limits.hits', '+', 1),
      })),
    )
    .returning('hits')
    .executeTakeFirstOrThrow();
  // Now and then, drop windows long past, so the table stays small without a cron job.
  if (Math.random() < 0.01) {
    await db
      .deleteFrom('rate_limits')
      .where('window_start', '<', new Date(now - 24 * 60 * 60 * 1000))
      .execute();
  }
  return {
    hits: row.hits,
    resetSeconds: Math.ceil((windowStart.getTime() + windowMs - now) / 1000),
  };
}

/** The caller as rate limits see them: their API key, else their session, else their address. */
export function callerSubject(c: Context<AppEnv>): string {
  const auth = c.var.auth;
  if (auth?.apiKeyId) return `key:${auth.apiKeyId}`;
  if (auth?.sessionTokenHash) return `session:${auth.sessionTokenHash.slice(0, 32)}`;
  return `ip:${clientIp(c, c.var.config.TRUST_PROXY)}`;
}

/** Answers 429 past the limit, with `Retry-After` and the IETF `RateLimit` headers. */
export function rateLimit(rule: RateLimitRule): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limit = rule.limit(c.var.config);
    const bucket = `${rule.name}:${rule.subject(c)}`;
    const { hits, resetSeconds } = await hit(c.var.db, bucket, rule.windowSeconds);
    const remaining = Math.max(0, limit - hits);
    const headers = {
      'RateLimit-Policy': `"${rule.name}";q=${limit};w=${rule.windowSeconds}`,
      RateLimit: `"${rule.name}";r=${remaining};t=${resetSeconds}`,
    };
    if (hits > limit) {
      return problem(
        c,
        429,
        `Too many requests: at most ${limit} per ${rule.windowSeconds} s. Retry in ${resetSeconds} s.`,
        { headers: { ...headers, 'Retry-After': String(resetSeconds) } },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

export const loginRateLimit = rateLimit({
  name: 'login',
  windowSeconds: 60,
  limit: (config) => config.RATE_LIMIT_LOGIN_PER_MINUTE,
  subject: (c) => `ip:${clientIp(c, c.var.config.TRUST_PROXY)}`,
});

export const writeRateLimit = rateLimit({
  name: 'writes',
  windowSeconds: 60,
  limit: (config) => config.RATE_LIMIT_WRITES_PER_MINUTE,
  subject: callerSubject,
});
