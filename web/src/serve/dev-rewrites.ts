/**
 * `npm run dev`: the 200 rewrites of `public/_redirects` in Astro's dev server too, so the pretty
 * URLs the chart page shares (`/c/<id>`, `/embed/<id>`) open there as on Pages and `npm start`.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { matches, parseRewrites } from './pages-rules.ts';

export function pagesRewritesInDev(redirectsFile: string): Plugin {
  return {
    name: 'chartroom:pages-rewrites-in-dev',
    apply: 'serve',
    configureServer(server) {
      const rewrites = parseRewrites(readFileSync(redirectsFile, 'utf8'));
      // Added before Astro's own handler, which then renders the page rewritten to.
      server.middlewares.use((request, _response, next) => {
        const url = new URL(request.url ?? '/', 'http://x');
        let pathname: string;
        try {
          pathname = decodeURIComponent(url.pathname);
        } catch {
          next();
          return;
        }
        const rule = rewrites.find(([from]) => matches(from, pathname));
        if (rule && rule[1] !== pathname) request.url = `${rule[1]}${url.search}`;
        next();
      });
    },
  };
}
