import type { RouteConfig } from '@hono/zod-openapi';
import { problemResponses } from '../lib/problem.ts';
import { writeRateLimit } from '../lib/rate-limit.ts';
import { requireAuth } from './authenticate.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

/** The two ways to call a protected operation, as the contract declares them. */
export const SECURITY_SCHEMES = {
  cookieAuth: {
    type: 'apiKey' as const,
    in: 'cookie' as const,
    name: SESSION_COOKIE,
    description:
      'The session cookie that `POST /v1/auth/login` and `POST /v1/auth/signup` set (the web app uses it).',
  },
  bearerAuth: {
    type: 'http' as const,
    scheme: 'bearer',
    description:
      'An API key from `POST /v1/api-keys`, sent as `Authorization: Bearer cr_live_…`. Keys have the `read` and/or `write` scope.',
  },
};

const SESSION_OR_KEY: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }];
const SESSION_ONLY: Record<string, string[]>[] = [{ cookieAuth: [] }];

/**
 * Makes a route protected, in the contract and in fact at once: declares its security
 * requirement and its 401/403 (and 429 for writes) answers, and runs the matching guard. A GET
 * needs the `read` scope, anything else `write`; writes are rate-limited per caller.
 */
export function secured<R extends RouteConfig>(route: R, options: { sessionOnly?: boolean } = {}) {
  const reads = route.method === 'get';
  return {
    ...route,
    security: options.sessionOnly ? SESSION_ONLY : SESSION_OR_KEY,
    middleware: [
      requireAuth({ scope: reads ? 'read' : 'write', sessionOnly: options.sessionOnly }),
      ...(reads ? [] : [writeRateLimit]),
    ],
    responses: {
      ...route.responses,
      ...problemResponses(401, 403),
      ...(reads ? {} : problemResponses(429)),
    },
  };
}
