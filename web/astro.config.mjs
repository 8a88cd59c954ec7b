import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import { pagesHeadersIntegration } from './src/build/pages-headers';
import { pagesRewritesInDev } from './src/serve/dev-rewrites.ts';

// Static output for Cloudflare Pages; the API base URL comes from PUBLIC_API_URL at build time,
// and the security headers that name it are written into the build as `_headers`. The dev server
// applies the rewrites of `public/_redirects` as Pages does.
export default defineConfig({
  output: 'static',
  server: { port: 4321, host: true },
  build: { inlineStylesheets: 'auto' },
  integrations: [pagesHeadersIntegration()],
  vite: {
    plugins: [pagesRewritesInDev(fileURLToPath(new URL('./public/_redirects', import.meta.url)))],
  },
});
