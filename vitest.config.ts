import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // PostgreSQL for the store suites: SWITCHYARD_TEST_PG_URL, or a throw-away embedded server.
    globalSetup: ['test/support/postgres.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
