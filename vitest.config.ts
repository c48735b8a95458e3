import { configDefaults, defineConfig } from 'vitest/config'

// Under CI a JSON report is written too, so .ci/run can print its own `N passed, N failed` line.
const ciReporters = process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default']

const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts']

/**
 * Test files that take minutes, or tens of seconds, not milliseconds: the CLI end to end on the
 * demo dataset, the evaluator over every demo pair, real sandboxes of every backend (bubblewrap,
 * Docker, the Modal and GCP stand-ins, the container-CLI example), conformance suites run on
 * them, terminal agents from npm, the viewer on real runs and in Chromium. Everything else is
 * the `unit` project, the inner loop (`pnpm test:unit`, under 2 minutes).
 */
const E2E = [
  'packages/*/test/e2e/**/*.test.ts',
  'packages/*/test/**/*.e2e.test.ts',
  // Conformance suites of agents and backends run on real sandboxes (the CLI agents' install from npm).
  '{packages,examples}/*/test/**/conformance*.test.ts',
  'packages/*/test/**/*.conformance.test.ts',
  'examples/research-script/test/**/*.test.ts',
  'packages/agent-cli/test/third-party-profile.test.ts',
  'packages/backend-gcp/test/project-setup.test.ts',
  'packages/cli/test/api/**/*.test.ts',
  'packages/cli/test/eval/**/*.test.ts',
  'packages/backend-local/test/{local-backend,local-sandbox,network}.test.ts',
  'packages/backend-docker/test/{docker-backend,docker-sandbox,evaluator,layer-smoke-test}.test.ts',
  'packages/backend-modal/test/modal-backend.test.ts',
  'packages/backend-gcp/test/{batch-evaluation,gcp-backend,vm-access}.test.ts',
  'examples/backend-container-cli/test/{images,lifecycle}.test.ts',
  'packages/agent-openhands-bridge/test/{coop-tools,server-faults,upstream-contract}.test.ts',
  'packages/testkit/test/{agent-conformance,conformance-selfcheck,local-backend-conformance}.test.ts',
  'packages/standins/test/openhands-server.test.ts',
  'packages/viewer/test/{browser*,viewer-data}.test.ts',
]

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ciReporters as never,
    projects: [
      // Unit test files wait on little but their own process: two at a time on this 2-core machine
      // (vitest's default is one fewer than the cores).
      { extends: true, test: { name: 'unit', include: ALL, exclude: [...configDefaults.exclude, ...E2E], maxWorkers: 2 } },
      // End-to-end files spend most of their time waiting (on sandboxes, containers, timeouts, child
      // processes): two at a time too; each test uses its own folders, ports, run names and
      // containers. Four at a time was no faster here (18 min 43 s against 19 min 24 s) and made
      // timing-bound tests fail.
      { extends: true, test: { name: 'e2e', include: E2E, maxWorkers: 2 } },
    ],
  },
})
