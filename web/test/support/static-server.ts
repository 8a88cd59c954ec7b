import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { headersFor, matches, parseHeaders, parseRewrites } from './pages-rules.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** Pages reads these two files for its rules and never serves them. */
const RULE_FILES = new Set(['/_redirects', '/_headers']);

function readRuleFile(root: string, name: string): string {
  const file = path.join(root, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Serves a built static site the way Cloudflare Pages does: files, 200 rewrites, `_headers`. */
export async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const rules = parseRewrites(readRuleFile(root, '_redirects'));
  const headers = parseHeaders(readRuleFile(root, '_headers'));
  const server = createServer((request, response) => {
    const requested = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const extra = headersFor(headers, requested);
    let pathname = requested;
    for (const [from, to] of rules) {
      if (matches(from, pathname)) {
        pathname = to;
        break;
      }
    }
    let file = path.join(root, path.normalize(pathname));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file) || RULE_FILES.has(pathname)) {
      response.writeHead(404, { 'Content-Type': 'text/plain', ...extra }).end('not found');
      return;
    }
    response.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      ...extra,
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
