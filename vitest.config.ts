import { defineConfig } from 'vitest/config'

// Under CI a JSON report is written too, so .ci/run can print its own `N passed, N failed` line.
const ciReporters = process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default']

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ciReporters as never,
  },
})
