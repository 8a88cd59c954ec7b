import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** `_redirects` rewrites (`/c/*  /chart/  200`), the only kind the site uses. */
function rewrites(root: string): [string, string][] {
  const file = path.join(root, '_redirects');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .filter((parts) => parts.length === 3 && parts[2] === '200')
    .map((parts) => [parts[0] as string, parts[1] as string]);
}

/** Serves a built static site the way Cloudflare Pages does: plain files and 200 rewrites. */
export async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const rules = rewrites(root);
  const server = createServer((request, response) => {
    let pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    for (const [from, to] of rules) {
      if (from.endsWith('*') ? pathname.startsWith(from.slice(0, -1)) : pathname === from) {
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
    if (!existsSync(file)) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}
