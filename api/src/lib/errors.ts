import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { DatabaseBusyError } from '../db/database.ts';
import type { AppEnv } from './app-env.ts';
import { ServerBusyError } from './heavy-reads.ts';
import { problem } from './problem.ts';
import { RequestProblem } from './request-problem.ts';

// Connection-level failures from pg or the network: the database is away, not the request wrong.
const DATABASE_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
]);

/** pg's own messages for a connection that failed, could not be had, or never answered. */
const DATABASE_DOWN_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|Cannot use a pool after calling end/i;

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) return true;
  return DATABASE_DOWN_MESSAGES.test(error.message);
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a value out of range, not valid for its
 * type, text it cannot hold). Inputs are checked before they reach SQL, so the 422 can name
 * the field; one that still gets through is the caller's value, not a fault of ours.
 */
const isDataException = (error: unknown) => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
};

/** statement_timeout (QUERY_TIMEOUT_MS) cancelled the statement. */
const isQueryCancelled = (error: unknown) => (error as { code?: unknown })?.code === '57014';

/** The app's last word on any thrown error: a problem document that gives nothing internal away. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (c.req.raw.signal.aborted) {
    // The client left first, and its work was cut on purpose (an import's connection): no one
    // reads this answer, and it is no server fault. 499, as nginx logs a closed request.
    c.var.logger?.info({ err: error }, 'client went away; its work was stopped');
    return new Response(null, { status: 499 });
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    if (status === 400 && /JSON/i.test(error.message)) {
      const errors = [{ loc: ['body'], msg: 'The body is not valid JSON.', type: 'json_invalid' }];
      return problem(c, 422, 'The body is not valid JSON.', { errors });
    }
    if (status === 400 || status === 401 || status === 403 || status === 404 || status === 413) {
      return problem(c, status, error.message || 'The request was refused.');
    }
    if (status === 415) {
      return problem(c, 415, 'This operation accepts a body of type application/json.');
    }
  }
  if (error instanceof RequestProblem) {
    return problem(c, error.status, error.detail, { errors: error.errors });
  }
  if (isQueryCancelled(error)) {
    c.var.logger?.warn({ err: error }, 'query cancelled at QUERY_TIMEOUT_MS');
    return problem(
      c,
      503,
      `The database took longer than the ${c.var.config.QUERY_TIMEOUT_MS} ms limit to answer: filter or group the request more, or retry shortly.`,
      { headers: { 'Retry-After': '5' } },
    );
  }
  if (error instanceof ServerBusyError) {
    if (error.scope === 'caller') {
      return problem(
        c,
        429,
        `You already have ${c.var.config.HEAVY_READS_PER_CALLER} chart, row or query requests running; wait for one to finish.`,
        { headers: { 'Retry-After': '1' } },
      );
    }
    c.var.logger?.warn('no heavy-read slot free');
    return problem(
      c,
      503,
      'The server is busy with other chart and query requests; retry shortly.',
      {
        headers: { 'Retry-After': '2' },
      },
    );
  }
  if (error instanceof DatabaseBusyError) {
    c.var.logger?.warn('no import slot free');
    return problem(c, 503, 'Too many imports are running at once; retry shortly.', {
      headers: { 'Retry-After': '5' },
    });
  }
  if (isDatabaseUnavailable(error)) {
    c.var.logger?.error({ err: error }, 'database unavailable');
    return problem(c, 503, 'The database is unavailable; retry shortly.', {
      headers: { 'Retry-After': '5' },
    });
  }
  if (isDataException(error)) {
    // Logged: each one is an input check to add, so that the next 422 names its field.
    c.var.logger?.warn({ err: error }, 'database refused a value');
    // An overflow comes from combining stored values (a sum of 1e308s), not from the request.
    if (/overflow/i.test(error.message)) {
      return problem(
        c,
        422,
        'These values are too large to combine: their total passes the largest number the database holds. Filter out the largest values, or use min, max or count.',
      );
    }
    return problem(
      c,
      422,
      'A value is out of range for its column, or not valid for its type; check the values sent.',
    );
  }
  c.var.logger?.error({ err: error }, 'unhandled error');
  return problem(c, 500, 'An unexpected error occurred. Quote the request_id when reporting it.');
}
