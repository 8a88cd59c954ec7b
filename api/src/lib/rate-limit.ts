import type { Context, MiddlewareHandler } from 'hono';
import { type Kysely, sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { AppEnv } from './app-env.ts';
import { clientIp } from './client-ip.ts';
import { problem } from './problem.ts';

export interface RateLimitPolicy {
  /** Names the policy in the RateLimit headers and in stored bucket names. */
  name: string;
  windowSeconds: number;
  limit: (config: Config) => number;
}

export interface RateLimitRule extends RateLimitPolicy {
  /** Who is counted: a key id, a session, or the client's address. */
  subject: (c: Context<AppEnv>) => string;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Allowed: seconds until the window ends (or until the next hit fits, at 0 left). Denied: Retry-After. */
  resetSeconds: number;
}

/**
 * How long until one more hit fits, with `current` hits so far in the window that began
 * `elapsedMs` ago and `previous` in the window before it.
 */
function waitMs(
  previous: number,
  current: number,
  limit: number,
  windowMs: number,
  elapsedMs: number,
) {
  if ((previous * (windowMs - elapsedMs)) / windowMs + current + 1 <= limit) return 0;
  if (current + 1 <= limit) {
    // Still in this window, once enough of the previous one has slid out of view.
    return windowMs - (windowMs * (limit - current - 1)) / previous - elapsedMs;
  }
  // Only in the next window, where this window's hits become the weighted previous ones.
  return windowMs - elapsedMs + Math.max(0, windowMs - (windowMs * (limit - 1)) / current);
}

/**
 * The sliding-window counter: the previous window's hits, weighted by how much of it still
 * overlaps the last `windowMs`, plus this window's (this hit included). A fixed window let twice
 * the limit through around a boundary; here hits just before it still count just after it.
 */
export function decide(
  previous: number,
  current: number,
  limit: number,
  windowMs: number,
  elapsedMs: number,
): Decision {
  const weighted = (previous * (windowMs - elapsedMs)) / windowMs + current;
  const allowed = weighted <= limit;
  const remaining = allowed ? Math.floor(limit - weighted) : 0;
  const wait = allowed
    ? remaining > 0
      ? windowMs - elapsedMs
      : waitMs(previous, current, limit, windowMs, elapsedMs) || windowMs - elapsedMs
    : waitMs(previous, current - 1, limit, windowMs, elapsedMs);
  return { allowed, limit, remaining, resetSeconds: Math.max(1, Math.ceil(wait / 1000)) };
}

/** A hit counted in a bucket's window; `refund` takes it back. */
export interface Hit extends Decision {
  bucket: string;
  windowStart: Date;
}

/**
 * Counts a hit and decides on it; a denied hit is taken back at once, so callers that keep
 * knocking are let in again when Retry-After says. Counts live in PostgreSQL, shared by every
 * instance; counting first and deciding on the returned count keeps concurrent hits exact.
 */
export async function consume(
  db: Kysely<Database>,
  bucket: string,
  { limit, windowSeconds }: { limit: number; windowSeconds: number },
  now: number,
): Promise<Hit> {
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  const windowStart = new Date(start);
  const { rows } = await sql<{ current: number; previous: number }>`
    with counted as (
      insert into rate_limits (bucket, window_start, hits) values (${bucket}, ${windowStart}, 1)
      on conflict (bucket, window_start) do update set hits = rate_limits.hits + 1
      returning hits)
    select (select hits from counted) as current,
      coalesce((select hits from rate_limits
        where bucket = ${bucket} and window_start = ${new Date(start - windowMs)}), 0) as previous
  `.execute(db);
  const row = rows[0] as { current: number; previous: number };
  const decision = decide(Number(row.previous), Number(row.current), limit, windowMs, now - start);
  const hit = { ...decision, bucket, windowStart };
  if (!decision.allowed) await refund(db, hit);
  // Now and then, drop windows long past, so the table stays small without a cron job.
  if (Math.random() < 0.01) {
    await db
      .deleteFrom('rate_limits')
      .where('window_start', '<', new Date(now - 24 * 60 * 60 * 1000))
      .execute();
  }
  return hit;
}

/** Takes a hit back: a denied one, or an attempt that turned out not to count (a right password). */
export async function refund(db: Kysely<Database>, hit: Hit): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('bucket', '=', hit.bucket)
    .where('window_start', '=', hit.windowStart)
    .where('hits', '>', 0)
    .execute();
}

function headersOf(name: string, windowSeconds: number, decision: Decision) {
  return {
    'RateLimit-Policy': `"${name}";q=${decision.limit};w=${windowSeconds}`,
    RateLimit: `"${name}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
}

/** The 429 problem, with `Retry-After` and the IETF `RateLimit` headers. */
export function tooManyRequests(c: Context<AppEnv>, policy: RateLimitPolicy, decision: Decision) {
  const { limit, resetSeconds } = decision;
  return problem(
    c,
    429,
    `Too many requests: at most ${limit} per ${policy.windowSeconds} s. Retry in ${resetSeconds} s.`,
    {
      headers: {
        ...headersOf(policy.name, policy.windowSeconds, decision),
        'Retry-After': String(resetSeconds),
      },
    },
  );
}

/** Counts one hit of `subject` against a policy, on the app's clock. */
export function consumeFor(c: Context<AppEnv>, policy: RateLimitPolicy, subject: string) {
  return consume(
    c.var.db,
    `${policy.name}:${subject}`,
    { limit: policy.limit(c.var.config), windowSeconds: policy.windowSeconds },
    c.var.clock(),
  );
}

/** The caller as rate limits see them: their API key, else their session, else their address. */
export function callerSubject(c: Context<AppEnv>): string {
  const auth = c.var.auth;
  if (auth?.apiKeyId) return `key:${auth.apiKeyId}`;
  if (auth?.sessionTokenHash) return `session:${auth.sessionTokenHash.slice(0, 32)}`;
  return ipSubject(c);
}

export const ipSubject = (c: Context<AppEnv>) => `ip:${clientIp(c, c.var.config.TRUST_PROXY)}`;

/** Answers 429 past the limit; allowed answers carry the `RateLimit` headers. */
export function rateLimit(rule: RateLimitRule): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const decision = await consumeFor(c, rule, rule.subject(c));
    if (!decision.allowed) return tooManyRequests(c, rule, decision);
    await next();
    // A stricter policy met inside (a 429 for this account) names itself, not this one.
    if (c.res.headers.has('RateLimit')) return;
    const headers = headersOf(rule.name, rule.windowSeconds, decision);
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/** Every password check (sign-up, log-in, password change) from one address: scrypt is costly. */
export const credentialPolicy: RateLimitRule = {
  name: 'login',
  windowSeconds: 60,
  limit: (config) => config.RATE_LIMIT_LOGIN_PER_MINUTE,
  subject: ipSubject,
};

/** Wrong passwords for one account, from anywhere: a distributed guesser meets this one. */
export const accountFailurePolicy: RateLimitPolicy = {
  name: 'account',
  windowSeconds: 60 * 60,
  limit: (config) => config.RATE_LIMIT_ACCOUNT_PER_HOUR,
};

/** Unknown or revoked API keys from one address. */
export const badKeyPolicy: RateLimitPolicy = {
  name: 'bad-keys',
  windowSeconds: 60,
  limit: (config) => config.RATE_LIMIT_LOGIN_PER_MINUTE,
};

export const loginRateLimit = rateLimit(credentialPolicy);

export const writeRateLimit = rateLimit({
  name: 'writes',
  windowSeconds: 60,
  limit: (config) => config.RATE_LIMIT_WRITES_PER_MINUTE,
  subject: callerSubject,
});
