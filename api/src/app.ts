import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { authenticate } from './auth/authenticate.ts';
import { csrfProtection } from './auth/csrf.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { readsOf } from './db/replica.ts';
import { docsRouter } from './docs/docs.ts';
import { accessLog } from './lib/access-log.ts';
import { allowedMethods } from './lib/allowed-methods.ts';
import { answerCache } from './lib/answer-cache.ts';
import { cors } from './lib/cors.ts';
import { handleError } from './lib/errors.ts';
import {
  CACHED_VIEW_PATHS,
  HEAVY_READ_PATHS,
  heavyReadLimiter,
  heavyReads,
} from './lib/heavy-reads.ts';
import { problem } from './lib/problem.ts';
import { createRouter } from './lib/router.ts';
import { buildOpenApiDocument, createApiRoutes } from './openapi.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  /** The time rate-limit windows are counted in; tests pass a clock they move. */
  clock?: () => number;
}

/** Builds the whole HTTP app without listening, so tests drive it with `app.request()`. */
/** Operations whose JSON body holds rows: dataset creation, append and replace. */
const ROWS_BODY_PATHS = /^\/v1\/datasets(\/[^/]+\/rows)?\/?$/;
/** Sign-up, log-in, the account and its keys: a few fields each. */
const CREDENTIALS_PATHS = /^\/v1\/(auth|me|api-keys)(\/|$)/;
const CREDENTIALS_BODY_LIMIT_BYTES = 16 * 1024;
/** Chart specs, queries, dataset edits: 50 filters of 1,000 values fit well within it. */
const DEFINITION_BODY_LIMIT_BYTES = 1024 * 1024;

export function createApp({ config, database, logger, clock = Date.now }: AppDeps) {
  const app = createRouter();

  app.use(requestId());
  app.use(accessLog(logger));
  app.use(
    secureHeaders({
      // Set below, so that the docs pages can bring their own.
      contentSecurityPolicy: undefined,
      crossOriginResourcePolicy: 'cross-origin',
      strictTransportSecurity: config.NODE_ENV === 'production' ? 'max-age=31536000' : false,
    }),
  );
  app.use(async (c, next) => {
    // API answers are data, never pages: nothing in them may load or run anything. Set before
    // the handler, so that its answer is built with it; the docs and the image set their own.
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    await next();
  });
  app.use(
    cors({
      origins: config.CORS_ORIGINS,
      allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Request-Id'],
      allowMethods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      exposeHeaders: [
        'X-Request-Id',
        'ETag',
        'Location',
        'Retry-After',
        'RateLimit',
        'RateLimit-Policy',
        'Idempotent-Replayed',
      ],
      maxAgeSeconds: 600,
    }),
  );
  // Bodies are read as sent: a compressed upload read as plain would store its bytes as text.
  // RFC 7694: 415 with Accept-Encoding says which codings are accepted (none but identity).
  app.use(async (c, next) => {
    const coding = c.req.header('content-encoding')?.trim().toLowerCase();
    if (!coding || coding === 'identity' || c.req.method === 'GET') return next();
    return problem(
      c,
      415,
      `Request bodies are read uncompressed: send this one without Content-Encoding (${coding.slice(0, 40)}).`,
      { headers: { 'Accept-Encoding': 'identity' } },
    );
  });
  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => problem(c, 413, `The request body is larger than ${maxSize} bytes.`),
    });
  const rowsBodyLimit = limitOf(config.BODY_LIMIT_BYTES);
  const definitionBodyLimit = limitOf(
    Math.min(DEFINITION_BODY_LIMIT_BYTES, config.BODY_LIMIT_BYTES),
  );
  const credentialsBodyLimit = limitOf(
    Math.min(CREDENTIALS_BODY_LIMIT_BYTES, config.BODY_LIMIT_BYTES),
  );
  // CSV uploads stream into the database and count their bytes against UPLOAD_LIMIT_BYTES
  // as they go; buffering them here would defeat that. Only bodies that carry rows may be as
  // large as BODY_LIMIT_BYTES: a 10 MB login or query would cost seconds of parsing before
  // its rate limit or its validation could refuse it.
  app.use((c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (/^text\/csv\b/i.test(c.req.header('content-type') ?? '')) return next();
    if (ROWS_BODY_PATHS.test(c.req.path)) return rowsBodyLimit(c, next);
    if (CREDENTIALS_PATHS.test(c.req.path)) return credentialsBodyLimit(c, next);
    return definitionBodyLimit(c, next);
  });
  const reads = readsOf(database);
  const answers = answerCache(config.CHART_CACHE_BYTES);
  app.use(async (c, next) => {
    c.set('config', config);
    c.set('db', database.db);
    c.set('reads', reads);
    c.set('answers', answers);
    c.set('databaseKind', database.kind);
    c.set('database', database);
    c.set('clock', clock);
    await next();
  });
  // Credentials matter to the API only: liveness, readiness and the docs answer whatever
  // Authorization or cookie a caller sends, without a database lookup for it.
  app.use('/v1/*', authenticate());
  app.use('/v1/*', csrfProtection());
  const limiter = heavyReadLimiter({
    concurrency: config.HEAVY_READS_CONCURRENCY ?? (database.kind === 'pglite' ? 1 : 4),
    perCaller: config.HEAVY_READS_PER_CALLER,
    waitMs: config.HEAVY_READS_WAIT_MS,
  });
  for (const path of HEAVY_READ_PATHS) {
    app.use(path, heavyReads(limiter, { onDemand: CACHED_VIEW_PATHS.includes(path) }));
  }

  const routes = createApiRoutes();
  app.route('/', routes);

  const document = buildOpenApiDocument(routes);
  app.get('/openapi.json', (c) => c.json(document));
  app.route('/', docsRouter());

  const methodsAt = allowedMethods(document.paths ?? {});
  app.notFound((c) => {
    const allowed = methodsAt(c.req.path);
    if (allowed.length && !allowed.includes(c.req.method)) {
      return problem(
        c,
        405,
        `${c.req.method} is not an operation of ${c.req.path}; it takes ${allowed.join(', ')}.`,
        { headers: { Allow: allowed.join(', ') } },
      );
    }
    return problem(c, 404, `There is no route for ${c.req.method} ${c.req.path}.`);
  });
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
