import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env.ts';
import { problem } from './problem.ts';

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

function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}

/** The app's last word on any thrown error: a problem document that gives nothing internal away. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
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
  if (isDatabaseUnavailable(error)) {
    c.var.logger?.error({ err: error }, 'database unavailable');
    return problem(c, 503, 'The database is unavailable; retry shortly.', {
      headers: { 'Retry-After': '5' },
    });
  }
  c.var.logger?.error({ err: error }, 'unhandled error');
  return problem(c, 500, 'An unexpected error occurred. Quote the request_id when reporting it.');
}
