import { defineConfig } from 'vitest/config'

/** Slow suites (many nodes, training runs): `npm run test:slow`. Not part of `npm test` or CI. */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.slow.test.ts', 'apps/*/test/**/*.slow.test.ts', 'test/**/*.slow.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['./vitest.setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 120_000
  }
})
