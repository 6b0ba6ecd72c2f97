import { defineConfig } from 'vitest/config'

/** Fast suites: what `npm test` and CI run. Slow suites are `*.slow.test.ts` (see vitest.slow.config.ts). */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.slow.test.ts'],
    globalSetup: ['./vitest.setup.ts'],
    // onnxruntime and level are native addons: process isolation is the safe pool for them.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
