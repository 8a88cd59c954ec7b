/**
 * Serves a built site the way Cloudflare Pages does: its files, the 200 rewrites of `_redirects`
 * (`/c/<id>`, `/embed/<id>`) and the headers of `_headers` (the CSP, framing). `npm start` runs
 * it (serve.ts), so the site is tried locally with the same policy it has in production; the
 * browser tests serve their build with it too. `astro preview` ignored both files.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  type HeaderRule,
  headersFor,
  matches,
  parseHeaders,
  parseRewrites,
} from './pages-rules.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/** Pages reads these two files for its rules and never serves them. */
const RULE_FILES = new Set(['/_redirects', '/_headers']);

interface Rules {
  rewrites: [string, string][];
  headers: HeaderRule[];
}

async function readRuleFile(root: string, name: string): Promise<string> {
  return readFile(path.join(root, name), 'utf8').catch(() => '');
}

/** The file for a URL path, or null if it would lie outside `root` (`..`, however encoded). */
export function fileInside(root: string, pathname: string): string | null {
  const file = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  const relative = path.relative(root, file);
  const outside =
    relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? null : file;
}

async function fileToServe(root: string, pathname: string): Promise<string | null> {
  const file = fileInside(root, pathname);
  if (file === null) return null;
  try {
    const found = await stat(file);
    if (found.isFile()) return file;
    if (found.isDirectory()) {
      const index = path.join(file, 'index.html');
      if ((await stat(index)).isFile()) return index;
    }
  } catch {
    // missing: a 404
  }
  return null;
}

function send(
  response: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  text: string,
): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(text);
}

async function handle(
  root: string,
  rules: Rules,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, { Allow: 'GET, HEAD' }, 'method not allowed');
    return;
  }
  let requested: string;
  try {
    requested = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  } catch {
    // A malformed percent-encoding (`/%E0`) names no file.
    send(response, 400, {}, 'bad request');
    return;
  }
  if (requested.includes('\0')) {
    send(response, 400, {}, 'bad request');
    return;
  }
  // Pages matches `_headers` against the path asked for, before any rewrite.
  const extra = headersFor(rules.headers, requested);
  const rewrite = rules.rewrites.find(([from]) => matches(from, requested));
  const pathname = rewrite ? rewrite[1] : requested;
  const file = RULE_FILES.has(pathname) ? null : await fileToServe(root, pathname);
  if (file === null) {
    send(response, 404, extra, 'not found');
    return;
  }
  const { size } = await stat(file);
  response.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    ...extra,
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** An HTTP server for the built site in `root`; its rule files are read once, now. */
export async function createStaticServer(root: string): Promise<Server> {
  const absolute = path.resolve(root);
  const rules: Rules = {
    rewrites: parseRewrites(await readRuleFile(absolute, '_redirects')),
    headers: parseHeaders(await readRuleFile(absolute, '_headers')),
  };
  return createServer((request, response) => {
    handle(absolute, rules, request, response).catch(() => {
      if (response.headersSent) response.destroy();
      else send(response, 500, {}, 'server error');
    });
  });
}

export interface ServeOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** `127.0.0.1` by default; null listens on every address, as `astro preview --host` did. */
  host?: string | null;
}

/** Serves `root` and resolves once listening, with the address to open. */
export async function serveStatic(
  root: string,
  { port = 0, host = '127.0.0.1' }: ServeOptions = {},
): Promise<{ url: string; server: Server }> {
  const server = await createStaticServer(root);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host === null) server.listen(port, resolve);
    else server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shown = host === null || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { url: `http://${shown}:${address.port}`, server };
}
