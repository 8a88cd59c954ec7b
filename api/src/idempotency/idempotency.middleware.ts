import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';
import {
  claimKey,
  completeKey,
  deleteExpiredKeys,
  type KeyedRequest,
  type KeyRecord,
  releaseKey,
  renewClaim,
} from './idempotency.repository.ts';
import {
  deriveFromKey,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  parseIdempotencyKey,
} from './idempotency-key.ts';
import { type BodyDigest, digestBody, requestHash } from './request-fingerprint.ts';
import { openAnswer, sealAnswer } from './sealed-answer.ts';

/** How long a running request's claim lasts unrenewed: a crashed instance frees its keys so soon. */
const LEASE_SECONDS = 60;
/** Expired keys are swept by about one keyed write in this many, so no cron job is needed. */
const SWEEP_ONE_IN = 100;
/** The headers a replay repeats; the rest (request id, rate limits, cookies) belong to each request. */
const REPLAYED_HEADERS = ['content-type', 'location'];

export const REPLAYED_HEADER = 'Idempotent-Replayed';

function reused(c: Context<AppEnv>, record: KeyRecord) {
  return problem(
    c,
    422,
    `This Idempotency-Key was already used for a different request (${record.request_method} ${record.request_path} with another query or body). Use a new key for a new request.`,
    {
      errors: [
        {
          loc: ['header', 'Idempotency-Key'],
          msg: 'already used for a different request',
          type: 'idempotency_key_reused',
        },
      ],
    },
  );
}

/** A request whose key is taken: replay the first answer, or say why not. */
async function answerTakenKey(
  c: Context<AppEnv>,
  request: KeyedRequest,
  record: KeyRecord,
  body: BodyDigest,
  secret: Buffer,
) {
  if (record.request_hash !== request.requestHash) return reused(c, record);
  if (record.response_status === null || record.response_sealed === null) {
    return problem(
      c,
      409,
      'A request with this Idempotency-Key is still in progress. Retry once it has finished.',
      { headers: { 'Retry-After': '1' } },
    );
  }
  if ((await body.finish(bodyLimit(c))) !== record.body_hash) return reused(c, record);
  const { headers, body: text } = openAnswer(secret, record.response_sealed);
  // Through the context: the headers every answer carries (CORS, CSP) were set on it already.
  return c.body(text, record.response_status as ContentfulStatusCode, {
    ...headers,
    [REPLAYED_HEADER]: 'true',
  });
}

/** The most a body may hold: what a retry can be compared on. */
const bodyLimit = (c: Context<AppEnv>) =>
  Math.max(c.var.config.BODY_LIMIT_BYTES, c.var.config.UPLOAD_LIMIT_BYTES);

/**
 * Makes a create operation safe to retry (IETF draft "The Idempotency-Key HTTP Header Field",
 * as Stripe does it). The first request with a key runs and its answer is stored in PostgreSQL,
 * for the user who sent it; a retry with the same key and the same request gets that answer
 * again, marked `Idempotent-Replayed: true`, instead of creating a second thing. Server errors
 * are not stored, so a retry can still succeed; client errors are.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('idempotency-key');
    const auth = c.var.auth;
    if (header === undefined || !auth) return next();
    const key = parseIdempotencyKey(header);
    if (key === undefined) {
      return problem(
        c,
        400,
        `The Idempotency-Key header must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters, bare or in double quotes.`,
      );
    }
    const { db, config, logger } = c.var;
    const { lookup, secret } = deriveFromKey(auth.user.id, key);
    const request: KeyedRequest = {
      userId: auth.user.id,
      keyHash: lookup,
      method: c.req.method,
      path: c.req.path,
      requestHash: requestHash(c),
    };
    const body = digestBody(c);

    if (Math.floor(Math.random() * SWEEP_ONE_IN) === 0) await deleteExpiredKeys(db);
    const claim = await claimKey(db, request, {
      ttlSeconds: config.IDEMPOTENCY_KEY_TTL_HOURS * 3600,
      leaseSeconds: LEASE_SECONDS,
    });
    if (!claim.claimed) return answerTakenKey(c, request, claim.record, body, secret);

    const { claimId } = claim;
    const renewal = setInterval(
      () => {
        renewClaim(db, request, claimId, LEASE_SECONDS).catch((error: unknown) =>
          logger?.warn({ err: error }, 'could not renew an idempotency key claim'),
        );
      },
      (LEASE_SECONDS * 1000) / 3,
    );
    renewal.unref();
    const release = () =>
      releaseKey(db, request, claimId).catch((error: unknown) =>
        logger?.warn({ err: error }, 'could not release an idempotency key'),
      );
    try {
      try {
        await next();
      } catch (error) {
        await release();
        throw error;
      }
      // The stored fingerprint covers the whole body, even when the handler stopped reading early.
      const bodyHash =
        c.res.status < 500 ? await body.finish(bodyLimit(c)).catch(() => undefined) : undefined;
      if (bodyHash === undefined) {
        await release();
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = c.res.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      const sealed = sealAnswer(secret, { headers, body: await c.res.clone().text() });
      await completeKey(db, request, claimId, { bodyHash, status: c.res.status, sealed }).catch(
        (error: unknown) => logger?.error({ err: error }, 'could not store an idempotent answer'),
      );
    } finally {
      clearInterval(renewal);
    }
  };
}
