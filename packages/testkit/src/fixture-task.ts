import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { git } from './git.js'

/** Files by repository-relative path. */
export type FileMap = Record<string, string>

export interface FixtureFeature {
  /** feature.md text. */
  spec: string
  /** Source files after the feature is implemented (changed or new). */
  source: FileMap
  /** Test files the hidden tests add or change. */
  tests: FileMap
}

export interface FixtureTaskSpec {
  repo?: string
  taskId?: number
  /** The base commit's files. */
  base: FileMap
  /** Features 1..n in order. */
  features: FixtureFeature[]
  /** runner.sh; defaults to a lenient runner that runs `testCommand`. */
  runner?: string
  /** Used by the default runner, e.g. `python3 run_tests.py`. */
  testCommand?: string
  /** Host tools the task needs in the local backend. */
  hostTools?: string[]
  /** Root of the dataset to create the task in; a temp dir by default. */
  datasetDir?: string
}

export interface FixtureTask {
  datasetDir: string
  taskDir: string
  repo: string
  taskId: number
  baseCommit: string
  cleanup(): Promise<void>
}

/**
 * Builds one task in the reference dataset layout from plain file maps: a real git repository
 * shipped as `repo.bundle`, gold `feature.patch` and `tests.patch` made by `git diff`, a
 * `combined.patch`, a `runner.sh` following the image contract, a Dockerfile and setup.sh that
 * name the base commit, and the `cooperbench.json` manifest for the local backend.
 */
export async function createFixtureTask(spec: FixtureTaskSpec): Promise<FixtureTask> {
  const repo = spec.repo ?? 'fixture_task'
  const taskId = spec.taskId ?? 1
  const datasetDir = spec.datasetDir ?? (await mkdtemp(join(tmpdir(), 'cooperbench-fixture-')))
  const taskDir = join(datasetDir, repo, `task${taskId}`)
  const work = await mkdtemp(join(tmpdir(), 'cooperbench-fixture-repo-'))
  try {
    await mkdir(taskDir, { recursive: true })
    await git(work, ['init', '-q'])
    await writeFiles(work, spec.base)
    await git(work, ['add', '-A'])
    await git(work, ['commit', '-q', '-m', 'base'])
    const baseCommit = (await git(work, ['rev-parse', 'HEAD'])).trim()

    for (const [index, feature] of spec.features.entries()) {
      const dir = join(taskDir, `feature${index + 1}`)
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, 'feature.md'), feature.spec)
      await writeFile(join(dir, 'feature.patch'), await diffAfter(work, baseCommit, feature.source))
      await writeFile(join(dir, 'tests.patch'), await diffAfter(work, baseCommit, feature.tests))
    }
    const everything: FileMap = {}
    for (const feature of spec.features) Object.assign(everything, feature.source, feature.tests)
    await writeFile(join(taskDir, 'combined.patch'), await diffAfter(work, baseCommit, everything))

    await git(work, ['bundle', 'create', join(taskDir, 'repo.bundle'), '--all'])
    await writeFile(join(taskDir, 'runner.sh'), spec.runner ?? defaultRunner(spec.testCommand ?? 'true'))
    await chmod(join(taskDir, 'runner.sh'), 0o755)
    await writeFile(join(taskDir, 'Dockerfile'), dockerfile(baseCommit))
    await writeFile(
      join(taskDir, 'setup.sh'),
      `#!/bin/bash\nREPO_NAME="${repo}"\nBASE_COMMIT="${baseCommit}"\ngit clone "$(dirname "$0")/repo.bundle" "$REPO_NAME" && cd "$REPO_NAME" && git checkout "$BASE_COMMIT"\n`,
    )
    await writeFile(join(taskDir, 'cooperbench.json'), `${JSON.stringify({ local: { hostTools: spec.hostTools ?? ['bash', 'git'] } }, null, 2)}\n`)
    return {
      datasetDir,
      taskDir,
      repo,
      taskId,
      baseCommit,
      cleanup: () => rm(datasetDir, { recursive: true, force: true }),
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

async function writeFiles(root: string, files: FileMap): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
}

/** The diff from `base` to `base + files`, leaving the work tree at `base`. */
async function diffAfter(work: string, base: string, files: FileMap): Promise<string> {
  await writeFiles(work, files)
  await git(work, ['add', '-A'])
  const patch = await git(work, ['diff', '--cached', '--binary', base])
  await git(work, ['reset', '-q', '--hard', base])
  await git(work, ['clean', '-fdq'])
  return patch
}

function dockerfile(baseCommit: string): string {
  return [
    'ARG BASE_IMAGE=cooperbench-demo-base:latest',
    'FROM ${BASE_IMAGE}',
    'WORKDIR /workspace',
    'COPY repo.bundle /tmp/repo.bundle',
    `RUN git clone /tmp/repo.bundle repo && cd repo && git checkout ${baseCommit}`,
    'WORKDIR /workspace/repo',
    'COPY runner.sh /usr/local/bin/',
    'RUN chmod +x /usr/local/bin/runner.sh',
    'ENTRYPOINT ["/usr/local/bin/runner.sh"]',
    '',
  ].join('\n')
}

/** A runner following the image contract (docs/reference-compatibility.md#task-images), lenient apply, feature first. */
export function defaultRunner(testCommand: string): string {
  return `#!/bin/bash
set -e
cleanup() { git reset --hard HEAD >/dev/null 2>&1 || true; git clean -fdx >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
TEST_PATCH="$1"
FEATURE_PATCH="$2"
if [[ -z "$TEST_PATCH" ]]; then echo "Usage: runner.sh <test_patch> [feature_patch]"; exit 1; fi
cd /workspace/repo
git reset --hard HEAD >/dev/null
git clean -fdx >/dev/null
apply() { git apply --ignore-whitespace --ignore-space-change "/patches/$1" || git apply --3way "/patches/$1"; }
if [[ -n "$FEATURE_PATCH" ]]; then
  [[ -f "/patches/$FEATURE_PATCH" ]] || { echo "Error: Feature patch not found at /patches/$FEATURE_PATCH"; exit 1; }
  apply "$FEATURE_PATCH"
fi
[[ -f "/patches/$TEST_PATCH" ]] || { echo "Error: Test patch not found at /patches/$TEST_PATCH"; exit 1; }
apply "$TEST_PATCH"
export PYTHONDONTWRITEBYTECODE=1
timeout 300 ${testCommand}
`
}
