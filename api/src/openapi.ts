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

const problemEntry = (status: 429 | 503) => ({
  description: problemResponses(status)[status].description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * Every operation but liveness needs the database, so any of them may answer 503 while it is
 * away or too slow (QUERY_TIMEOUT_MS); every /v1 operation checks a Bearer key, so any of them
 * may answer 429 to an address that sent too many bad keys. Documented once here, not per route.
 */
function documentDatabaseUnavailable(document: ReturnType<Router['getOpenAPI31Document']>) {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation || operation.operationId === 'getHealth') continue;
      operation.responses ??= {};
      if (path.startsWith('/v1/')) operation.responses['429'] ??= problemEntry(429);
      operation.responses['503'] ??= problemEntry(503);
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
  return documentDatabaseUnavailable(document);
}

/** The document as committed in openapi/v1.json: stable key order from the routes, 2-space JSON. */
export function serializeOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
