import { defineConfig } from 'vitest/config';

// One run for unit, integration and end-to-end tests. globalSetup prepares a migrated template database
// on TEST_DATABASE_URL's server (or an embedded PostgreSQL); each test file clones its own database from it.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'tests/.artifacts/vitest-report.json' },
  },
});
