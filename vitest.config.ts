import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'api/**/*.test.ts',
      'scripts/**/*.test.ts',
      'client/**/*.test.ts',
      'charts/**/*.test.ts',
      'web/test/**/*.test.ts',
    ],
    // PGlite start-up and the Astro build in the browser test take seconds, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 180_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
