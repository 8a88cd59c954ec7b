/**
 * `npm start` and `npm run preview -w web`: serves the built site (web/dist) with its
 * `_redirects` and `_headers`, as Cloudflare Pages will. Node runs this file directly.
 *
 *   node web/src/serve/serve.ts [--port 4321] [--host <address>] [<built site folder>]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serveStatic } from './static-server.ts';

const { values, positionals } = parseArgs({
  options: { port: { type: 'string', default: '4321' }, host: { type: 'string' } },
  allowPositionals: true,
});
const root = path.resolve(positionals[0] ?? path.join(import.meta.dirname, '../../dist'));
if (!existsSync(path.join(root, 'index.html'))) {
  console.error(`No built site in ${root}: run npm run build first.`);
  process.exit(1);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not "${values.port}".`);
  process.exit(1);
}
// Every address unless told otherwise, as `astro preview` with `host: true` did.
const { url } = await serveStatic(root, { port, host: values.host ?? null });
console.log(`Chartroom web: ${url}/ (${root}, with _redirects and _headers)`);
