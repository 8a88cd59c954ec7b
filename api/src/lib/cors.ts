import type { MiddlewareHandler } from 'hono';

export interface CorsOptions {
  origins: string[];
  allowHeaders: string[];
  allowMethods: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/**
 * CORS with credentials, for the listed origins only; what Hono's `cors` answers, header for
 * header. Its headers go through `c.header` before the handler runs, so the handler's response
 * is built with them once: Hono's own sets them on `c.res` first, which makes every answer be
 * built twice, a full `Response` copied header by header (a third of `/health`'s time, measured
 * with a CPU profile under load).
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const expose = options.exposeHeaders.join(',');
  const allowHeaders = options.allowHeaders.join(',');
  const allowMethods = options.allowMethods.join(',');
  const maxAge = String(options.maxAgeSeconds);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin && options.origins.includes(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
    }
    c.header('Access-Control-Allow-Credentials', 'true');
    c.header('Access-Control-Expose-Headers', expose);
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Max-Age', maxAge);
      c.header('Access-Control-Allow-Methods', allowMethods);
      c.header('Access-Control-Allow-Headers', allowHeaders);
      c.header('Vary', 'Origin, Access-Control-Request-Headers');
      return c.body(null, 204);
    }
    // Set before the handler, which may replace it with a longer list that still holds Origin.
    c.header('Vary', 'Origin');
    await next();
  };
}
