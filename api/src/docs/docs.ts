import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const redocBundle = require.resolve('redoc/bundles/redoc.standalone.js');

// Everything the docs pages load comes from this server: no CDN, so they work offline and
// behind this strict policy.
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI and Redoc both set inline styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

const page = (title: string, head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
${head}
</head>
<body>
${body}
</body>
</html>`;

const swaggerPage = page(
  'Chartroom API — Swagger UI',
  '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
  '<div id="swagger-ui"></div>\n<script src="/docs/assets/swagger-ui-bundle.js"></script>\n<script src="/docs/init.js"></script>',
);

const swaggerInit = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: false,
  persistAuthorization: true,
  withCredentials: true,
  displayRequestDuration: true,
  tagsSorter: 'alpha',
});
`;

const redocPage = page(
  'Chartroom API — ReDoc',
  '<style>body { margin: 0; }</style>',
  '<div id="redoc"></div>\n<script src="/redoc/redoc.standalone.js"></script>\n<script src="/redoc/init.js"></script>',
);

const redocInit = `Redoc.init('/openapi.json', { hideDownloadButton: false, expandResponses: '200,201' }, document.getElementById('redoc'));
`;

const SWAGGER_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const assetCache = new Map<string, Buffer>();
async function asset(file: string): Promise<Buffer> {
  let content = assetCache.get(file);
  if (!content) {
    content = await readFile(file);
    assetCache.set(file, content);
  }
  return content;
}

const ASSET_CACHE_CONTROL = 'public, max-age=86400';

/** Swagger UI at /docs and ReDoc at /redoc, both rendering /openapi.json. */
export function docsRouter(): Hono {
  const docs = new Hono();
  // Only the pages and their assets: a `*` here would reach every answer of the app that no
  // route took (the 404 problems) and give them the pages' looser policy.
  for (const pages of ['/docs', '/docs/*', '/redoc', '/redoc/*']) {
    docs.use(pages, async (c, next) => {
      c.header('Content-Security-Policy', DOCS_CSP);
      await next();
    });
  }
  docs.get('/docs', (c) => c.html(swaggerPage));
  docs.get('/docs/init.js', (c) =>
    c.body(swaggerInit, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  docs.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = SWAGGER_ASSETS[file];
    if (!type) return c.notFound();
    return c.body(new Uint8Array(await asset(path.join(swaggerDir, file))), 200, {
      'Content-Type': type,
      'Cache-Control': ASSET_CACHE_CONTROL,
    });
  });
  docs.get('/redoc', (c) => c.html(redocPage));
  docs.get('/redoc/init.js', (c) =>
    c.body(redocInit, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
  );
  docs.get('/redoc/redoc.standalone.js', async (c) =>
    c.body(new Uint8Array(await asset(redocBundle)), 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': ASSET_CACHE_CONTROL,
    }),
  );
  return docs;
}
