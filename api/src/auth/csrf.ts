import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../lib/app-env.ts';
import { problem } from '../lib/problem.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a browser sends on behalf of another site. Only
 * cookie-authenticated requests (and log-in/sign-up, which set the cookie) can be forged that
 * way; API keys cannot, since a browser never attaches them by itself. Browsers always send
 * `Origin` on such requests; a client that sends none is not a browser, so is not a victim.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const byCookie = c.var.auth?.via === 'session' || c.req.path.startsWith('/v1/auth/');
    if (!byCookie) return next();
    const origin = c.req.header('origin');
    const fetchSite = c.req.header('sec-fetch-site');
    if (origin !== undefined) {
      const host = c.req.header('host');
      const sameOrigin = host !== undefined && origin.replace(/^https?:\/\//, '') === host;
      if (!sameOrigin && !c.var.config.CORS_ORIGINS.includes(origin)) {
        return problem(
          c,
          403,
          `Requests from ${origin} may not change anything here (CSRF protection).`,
        );
      }
    } else if (fetchSite === 'cross-site') {
      return problem(c, 403, 'Cross-site requests may not change anything here (CSRF protection).');
    }
    await next();
  };
}
