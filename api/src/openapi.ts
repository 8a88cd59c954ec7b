import { apiKeysRouter } from './api-keys/api-keys.index.ts';
import { authRouter } from './auth/auth.index.ts';
import { SECURITY_SCHEMES } from './auth/secured.ts';
import { chartsRouter } from './charts/charts.index.ts';
import { datasetsRouter } from './datasets/datasets.index.ts';
import { healthRouter } from './health/health.index.ts';
import { PROBLEM_CONTENT_TYPE, problemResponses } from './lib/problem.ts';
import { createRouter, type Router } from './lib/router.ts';

export const API_TITLE = 'Chartroom API';
export const API_VERSION = '1.0.0';

const TAGS = [
  { name: 'Health', description: 'Liveness and readiness, for load balancers and uptime checks.' },
  {
    name: 'Accounts',
    description:
      'Sign up, log in and out (a session cookie, for the web app), and who the caller is.',
  },
  {
    name: 'API keys',
    description:
      'Keys for scripts and integrations: send one as `Authorization: Bearer cr_live_…`.',
  },
  {
    name: 'Datasets',
    description:
      'Tables of typed rows from a CSV file or JSON: import, read with filters and sorting, export, aggregate.',
  },
  {
    name: 'Charts',
    description: 'Chart definitions over datasets, and the chart-ready series they draw.',
  },
];

/** All documented routes. The contract is generated from this, with no server and no database. */
export function createApiRoutes() {
  const routes = createRouter();
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    routes.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  }
  return routes
    .route('/', healthRouter)
    .route('/', authRouter)
    .route('/', apiKeysRouter)
    .route('/', datasetsRouter)
    .route('/', chartsRouter);
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const problemEntry = (status: 429 | 500 | 503) => ({
  description: problemResponses(status)[status].description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** Headers many answers carry, declared once and referred to from each response. */
const COMMON_HEADERS = {
  RequestId: {
    description:
      'Identifies this request in the server logs: the one sent as `X-Request-Id`, or a new UUID. Quote it when reporting a problem.',
    schema: { type: 'string', maxLength: 255 },
  },
  RateLimit: {
    description:
      'Where a rate limit applies (writes, sign-in): what is left of it, as `"policy";r=<remaining>;t=<seconds to reset>` (IETF draft RateLimit header fields).',
    schema: { type: 'string', maxLength: 255 },
  },
  RateLimitPolicy: {
    description: 'The rate limit that applies: `"policy";q=<requests>;w=<window in seconds>`.',
    schema: { type: 'string', maxLength: 255 },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 0, maximum: 86400 },
  },
  Location: {
    description: 'Where the new resource is: GET it there.',
    schema: { type: 'string', maxLength: 255 },
  },
  SetCookie: {
    description:
      'The session cookie (`chartroom_session`, HttpOnly), set at sign-in, refreshed as it is used, cleared at log-out or when it is no longer valid.',
    schema: { type: 'string', maxLength: 4096 },
  },
  IdempotentReplayed: {
    description:
      '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`, not a new one.',
    schema: { type: 'string', enum: ['true'] as string[] },
  },
  AcceptEncoding: {
    description: 'The codings a request body may use: only `identity` (send it uncompressed).',
    schema: { type: 'string', maxLength: 64 },
  },
  CacheControl: {
    description:
      'How caches may keep it: `public, no-cache` for shared charts (kept, revalidated on each use), `private, no-cache` otherwise, `no-store` on a refusal.',
    schema: { type: 'string', maxLength: 64 },
  },
  WwwAuthenticate: {
    description: 'How to authenticate: a session cookie, or `Authorization: Bearer <API key>`.',
    schema: { type: 'string', maxLength: 255 },
  },
} as const;

const CACHED_VIEWS = new Set(['getChartData', 'getChartImage']);

const ref = (name: keyof typeof COMMON_HEADERS) => ({ $ref: `#/components/headers/${name}` });

type Response = { headers?: Record<string, unknown> };

/** Adds a header to a response unless the route declared it itself. */
function declare(response: Response, name: string, header: keyof typeof COMMON_HEADERS) {
  response.headers ??= {};
  if (!Object.keys(response.headers).some((key) => key.toLowerCase() === name.toLowerCase())) {
    response.headers[name] = ref(header);
  }
}

/**
 * What every operation may answer and send, documented once here, not per route. Every
 * operation but liveness needs the database, so any may answer 503 while it is away or too
 * slow (QUERY_TIMEOUT_MS); any may fail with a 500; every /v1 operation checks a Bearer key, so
 * any may answer 429 to an address that sent too many bad keys. Every answer carries
 * `X-Request-Id`; writes and sign-in carry the `RateLimit` fields; refusals say when to retry
 * (`Retry-After`) or how to authenticate (`WWW-Authenticate`).
 */
function documentCommonAnswers(document: ReturnType<Router['getOpenAPI31Document']>) {
  document.components ??= {};
  document.components.headers = { ...document.components.headers, ...COMMON_HEADERS };
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses ??= {};
      if (path.startsWith('/v1/')) operation.responses['429'] ??= problemEntry(429);
      operation.responses['500'] ??= problemEntry(500);
      if (operation.operationId !== 'getHealth') operation.responses['503'] ??= problemEntry(503);
      const limited = path.startsWith('/v1/') && method !== 'get';
      const idempotent = (operation.parameters ?? []).some(
        (parameter) => 'name' in parameter && parameter.name === 'Idempotency-Key',
      );
      // A 201 whose thing can be read back at `<path>/{id}` says where.
      const readable = Object.entries(document.paths ?? {}).some(
        ([other, otherItem]) => other === `${path}/{id}` && otherItem.get,
      );
      for (const [status, response] of Object.entries(operation.responses)) {
        const answer = response as Response;
        declare(answer, 'X-Request-Id', 'RequestId');
        if (limited || status === '429') {
          declare(answer, 'RateLimit', 'RateLimit');
          declare(answer, 'RateLimit-Policy', 'RateLimitPolicy');
        }
        if (status === '429' || status === '503' || status === '409') {
          declare(answer, 'Retry-After', 'RetryAfter');
        }
        if (status === '401') declare(answer, 'WWW-Authenticate', 'WwwAuthenticate');
        if (status === '415') declare(answer, 'Accept-Encoding', 'AcceptEncoding');
        if (status === '201' && readable) declare(answer, 'Location', 'Location');
        if (idempotent) declare(answer, 'Idempotent-Replayed', 'IdempotentReplayed');
        if (path.startsWith('/v1/')) declare(answer, 'Set-Cookie', 'SetCookie');
        // Chart views say how to cache every answer, refusals too (`no-store`).
        if (CACHED_VIEWS.has(operation.operationId ?? '')) {
          declare(answer, 'Cache-Control', 'CacheControl');
        }
      }
    }
  }
  return document;
}

export function buildOpenApiDocument(routes = createApiRoutes()) {
  const document = routes.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description:
        'Publish data and charts. Every error is `application/problem+json` (RFC 9457); invalid input answers 422 with an `errors` list naming each field.',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    // Relative, so Swagger UI's "Try it out" calls whichever host serves the docs.
    servers: [{ url: '/', description: 'The server these docs are served from' }],
    tags: TAGS,
  });
  return documentCommonAnswers(document);
}

/** The document as committed in openapi/v1.json: stable key order from the routes, 2-space JSON. */
export function serializeOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
