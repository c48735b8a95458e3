import { configDefaults, defineConfig } from 'vitest/config'

// Under CI a JSON report is written too, so .ci/run can print its own `N passed, N failed` line.
const ciReporters = process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default']

const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts']

/**
 * Test files that take minutes, not seconds: the CLI end to end on the demo dataset, the
 * evaluator over every demo pair, sandboxes of every backend (bubblewrap, Docker, the Modal and
 * GCP stand-ins), terminal agents from npm, Chromium. Everything else is the `unit` project,
 * the inner loop (`pnpm test:unit`).
 */
const E2E = [
  'packages/*/test/e2e/**/*.test.ts',
  'packages/*/test/**/*.e2e.test.ts',
  'packages/cli/test/api/**/*.test.ts',
  'packages/cli/test/eval/**/*.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ciReporters as never,
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: [...configDefaults.exclude, ...E2E] } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
})
