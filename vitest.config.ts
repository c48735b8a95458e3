import { spawnSync } from 'node:child_process'
import { dirname } from 'node:path'
import { configDefaults, defineConfig } from 'vitest/config'
import PlannedSequencer from './scripts/test/sequencer.js'

/**
 * The PATH tests run with, and so every CLI, sandbox and task test run they start: where `python3`
 * is a pyenv shim, the folder of the interpreter it stands for comes first. A shim is a bash script
 * that picks the version on each start: ~50 ms of CPU more than the interpreter's own ~35 ms, and
 * the suite starts python some thousands of times (every demo task's tests). Same python, no shim.
 */
function pathWithoutPythonShims(path = process.env.PATH ?? ''): string {
  const which = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim()
  if (!which.includes('/shims/')) return path
  const executable = spawnSync(which, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim()
  return executable.startsWith('/') ? `${dirname(executable)}:${path}` : path
}

// Under CI a JSON report is written too, so .ci/run can print its own `N passed, N failed` line, and each
// failure is printed with its message as it happens (a run cut short still says what failed).
const ciReporters = process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }], './scripts/test/failures-at-once.ts'] : ['default']

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
  'packages/backend-local/test/{local-backend,local-sandbox,network,setup-retry}.test.ts',
  'packages/backend-docker/test/{docker-backend,docker-sandbox,evaluator,layer-smoke-test}.test.ts',
  'packages/backend-modal/test/{modal-backend,standin-exec}.test.ts',
  'packages/backend-gcp/test/{batch-evaluation,gcp-backend,ssh-session-limit,vm-access}.test.ts',
  'examples/backend-container-cli/test/{images,lifecycle}.test.ts',
  'packages/agent-openhands-bridge/test/{coop-tools,coordination-tools,server-faults,upstream-contract}.test.ts',
  'packages/testkit/test/{agent-conformance,conformance-selfcheck,local-backend-conformance}.test.ts',
  // mini-SWE's reference mode in real local sandboxes: upstream 0.0.22–0.0.28's timeouts, PATH and pull requests.
  'packages/agent-mini-swe/test/{reference-pull-request,reference-later-versions}.test.ts',
  'packages/standins/test/openhands-server.test.ts',
  'packages/viewer/test/{browser*,viewer-data}.test.ts',
]

export default defineConfig({
  test: {
    env: { PATH: pathWithoutPythonShims() },
    testTimeout: 60_000,
    // One folder per suite run for fixtures several files read (scripts/test/shared-once.ts).
    globalSetup: ['scripts/test/global-setup.ts'],
    // Runs for every test file what support modules registered with scripts/test/after-every.ts.
    setupFiles: ['scripts/test/per-file-hooks.ts'],
    hookTimeout: 60_000,
    pool: 'forks',
    // Three files at a time, unit and e2e alike (one group, so unit files fill the gaps e2e files
    // leave). On this 2-core machine the suite's e2e files wait on sandboxes, containers, timeouts
    // and child processes for part of their time: three at a time took the suite from 776 s to
    // 704 s with every test passing; four made timing-bound tests fail. Each test uses its own
    // folders, ports, run names and containers.
    maxWorkers: 3,
    // Longest files first, container-heavy ones apart (scripts/test/sequencer.ts), so that none starts late and ends alone.
    sequence: { sequencer: PlannedSequencer },
    reporters: ciReporters as never,
    projects: [
      // Unit files share their workers' modules (isolate: false): a file no longer pays for a fresh module
      // graph (the project: 92 → 44 s of CPU). So a support module registers its cleanups with
      // scripts/test/after-every.ts, never with a top-level afterAll/afterEach, which would run for the first
      // file of a worker only; `--sequence.shuffle.files` checks that no file depends on another's state.
      { extends: true, test: { name: 'unit', include: ALL, exclude: [...configDefaults.exclude, ...E2E], isolate: false } },
      // Sandboxes, containers and child processes slow down many times over on a loaded machine: an e2e
      // test's bound is a guard against a hang, not a speed target (those are in `pnpm bench`): 360 s, as
      // tests of a few CLI calls took over 180 s at load 26.
      // e2e files share their workers too: a file's worker no longer starts node and loads vitest and the
      // support modules afresh (0.3–0.6 s of CPU a file, ~120 files). Their own state is theirs (folders,
      // ports, run names, containers, all per test or per file, cleaned through after-every.ts as above).
      { extends: true, test: { name: 'e2e', include: E2E, testTimeout: 360_000, hookTimeout: 300_000, isolate: false } },
    ],
  },
})
