import { defineConfig } from 'astro/config';

// Static output for Cloudflare Pages; the API base URL comes from PUBLIC_API_URL at build time.
export default defineConfig({
  output: 'static',
  server: { port: 4321, host: true },
  build: { inlineStylesheets: 'auto' },
});
