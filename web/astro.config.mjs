import { defineConfig } from 'astro/config';
import { pagesHeadersIntegration } from './src/build/pages-headers';

// Static output for Cloudflare Pages; the API base URL comes from PUBLIC_API_URL at build time,
// and the security headers that name it are written into the build as `_headers`.
export default defineConfig({
  output: 'static',
  server: { port: 4321, host: true },
  build: { inlineStylesheets: 'auto' },
  integrations: [pagesHeadersIntegration()],
});
