import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One page on an origin of its own, as someone's blog that embeds a chart would be: the site's
 * own CSP does not apply to it. On loopback, as Chromium does not let a public page frame a
 * local address.
 */
export async function serveOtherSite(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // `localhost`, not 127.0.0.1 as the web app: another origin.
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/`, server };
}
