/**
 * Shared pieces of the evaluator's integration tests: the local backend (bubblewrap), the demo
 * dataset, small fixture tasks built in a temp dir, and direct git computations to compare with.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EvalInput, EvalPatches, Sandbox, Task } from '@cooperbench/core'
import { loadDataset } from '@cooperbench/dataset'
import { LocalBackend } from '@cooperbench/backend-local'

export const DEMO_DATASET = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../dataset')

/** Whether bubblewrap is usable here; without it these tests skip, except in CI where they must run. */
export const hasBwrap = spawnSync('bwrap', ['--version']).status === 0
export const skipReason = 'bubblewrap (bwrap) is not installed'
if (!hasBwrap && process.env.CI) throw new Error(`${skipReason}, and CI is set: the evaluator integration tests must run`)

/** A describe title that says why it skipped. */
export function titled(title: string): string {
  return hasBwrap ? title : `${title} (skipped: ${skipReason})`
}

/** A local backend with its own root; `close` terminates its sandboxes and removes the root. */
export async function openBackend(): Promise<{ backend: LocalBackend; close(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'cb-eval-it-'))
  const backend = new LocalBackend({ root })
  return {
    backend,
    async close() {
      await backend.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}

export function sandboxFactory(backend: LocalBackend, task: Task): () => Promise<Sandbox> {
  return () => backend.createSandbox({ task, image: 'unused-by-local', role: 'eval', labels: { runName: 'eval-it' } })
}

/**
 * An evaluation of `patches`. These tests check the reference's 0.0.14 merge (naive, then union) step by
 * step, so that is the policy unless `over` names another (packages/testkit/test/evaluation-policies.test.ts has 0.0.16's).
 */
export function evalInput(backend: LocalBackend, task: Task, features: number[], patches: EvalPatches, over: Partial<EvalInput> = {}): EvalInput {
  const setting = patches.rule === 'merge' ? 'coop' : 'solo'
  return { task, features, setting, patches, createSandbox: sandboxFactory(backend, task), testTimeoutMs: 120_000, policy: 'cooperbench-0.0.14', ...over }
}

export const coop = (...agents: string[]): EvalPatches => ({ rule: 'merge', agents })
export const solo = (patch: string): EvalPatches => ({ rule: 'single', patch: patch })

export async function goldPatch(task: Task, id: number): Promise<string> {
  return readFile(join(task.dir, `feature${id}`, 'feature.patch'), 'utf8')
}

export async function testsPatch(task: Task, id: number): Promise<string> {
  return readFile(join(task.dir, `feature${id}`, 'tests.patch'), 'utf8')
}

/** The demo dataset's tasks that the local backend can run. */
export async function demoTasks(backend: LocalBackend): Promise<Task[]> {
  if (!existsSync(DEMO_DATASET)) return []
  const dataset = await loadDataset(DEMO_DATASET)
  return dataset.tasks.filter((t) => t.features.length >= 2 && backend.supportsTask(t).ok)
}

/** A sandbox that forwards everything to `inner` except `terminate`. */
export function delegatingSandbox(inner: Sandbox, terminate: () => Promise<void>): Sandbox {
  return {
    id: inner.id,
    exec: (command, options) => inner.exec(command, options),
    writeFile: (path, data) => inner.writeFile(path, data),
    readFile: (path) => inner.readFile(path),
    terminate,
  }
}

/**
 * Keeps the sandbox alive after the evaluator has "terminated" it, so a test can look inside;
 * `release` terminates it for real.
 */
export function keepingSandbox(create: () => Promise<Sandbox>): {
  createSandbox: () => Promise<Sandbox>
  sandbox(): Sandbox
  terminateCalls(): number
  release(): Promise<void>
} {
  let inner: Sandbox | undefined
  let calls = 0
  return {
    async createSandbox() {
      inner = await create()
      return delegatingSandbox(inner, async () => {
        calls++
      })
    },
    sandbox() {
      if (inner === undefined) throw new Error('no sandbox was created')
      return inner
    },
    terminateCalls: () => calls,
    release: async () => {
      await inner?.terminate()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// git on the host

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
}

export function git(cwd: string, args: string[], input?: string | Buffer): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd,
    env: gitEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  })
}

/** Exit status of a git command (no throw). */
export function gitStatus(cwd: string, args: string[]): number {
  return spawnSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], { cwd, env: gitEnv }).status ?? -1
}

/** Whether `patch` applies with plain `git apply` at the clone's current commit. */
export function gitApplies(repo: string, patch: string): boolean {
  return spawnSync('git', ['apply', '--check', '-'], { cwd: repo, input: patch }).status === 0
}

/** A clone of the task's bundle at its base commit, in a new temp dir. */
export async function cloneAtBase(task: Task): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'cb-eval-clone-'))
  const dir = join(parent, 'repo')
  git(parent, ['clone', '--quiet', task.source.bundlePath!, dir])
  git(dir, ['checkout', '--quiet', '--detach', task.source.baseCommit!])
  return { dir, cleanup: () => rm(parent, { recursive: true, force: true }) }
}

/**
 * What plain git says about merging two gold patches (the gold conflict check's algorithm,
 * computed directly): branches from base with each patch applied (`--ignore-whitespace`, then
 * `--3way`), then `git merge agent1 --no-commit --no-ff` on agent2.
 */
export function directGoldMerge(repo: string, base: string, patch1: string, patch2: string): { conflict: boolean; applied: [boolean, boolean] } {
  const { conflict, applied } = directGoldChain(repo, base, [patch1, patch2])
  return { conflict, applied: [applied[0]!, applied[1]!] }
}

/**
 * The same for a team of any size: one branch per patch, then the last branch receives the
 * others in order, each clean merge committed; a conflict anywhere is a conflict.
 */
export function directGoldChain(repo: string, base: string, patches: readonly string[]): { conflict: boolean; applied: boolean[] } {
  const applied: boolean[] = []
  const branches = patches.map((_, i) => `agent${i + 1}`)
  for (const [i, patch] of patches.entries()) {
    git(repo, ['checkout', '--quiet', '-f', '-B', branches[i]!, base])
    git(repo, ['clean', '-fdxq'])
    const ok =
      spawnSync('git', ['apply', '--ignore-whitespace', '-'], { cwd: repo, input: patch }).status === 0 ||
      spawnSync('git', ['apply', '--3way', '-'], { cwd: repo, input: patch }).status === 0
    if (!ok) {
      git(repo, ['reset', '--quiet', '--hard'])
      git(repo, ['clean', '-fdxq'])
    }
    applied.push(ok)
    git(repo, ['add', '-A'])
    git(repo, ['commit', '--quiet', '--allow-empty', '-m', branches[i]!])
  }
  git(repo, ['checkout', '--quiet', '-f', branches.at(-1)!])
  let conflict = false
  for (const branch of branches.slice(0, -1)) {
    conflict = gitStatus(repo, ['merge', '--no-commit', '--no-ff', branch]) !== 0
    if (conflict) {
      gitStatus(repo, ['merge', '--abort'])
      break
    }
    git(repo, ['commit', '--quiet', '--allow-empty', '-m', `merge ${branch}`])
  }
  git(repo, ['checkout', '--quiet', '-f', '--detach', base])
  return { conflict, applied }
}

/** `git diff --binary` of the edits (path → content, null deletes) made on a clone at base. */
export async function diffOf(repo: string, edits: Record<string, string | Uint8Array | null>): Promise<string> {
  for (const [path, content] of Object.entries(edits)) {
    const file = join(repo, path)
    if (content === null) await rm(file, { force: true })
    else {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, content)
    }
  }
  git(repo, ['add', '-A'])
  const diff = git(repo, ['diff', '--cached', '--binary', 'HEAD'])
  git(repo, ['reset', '--quiet', '--hard'])
  git(repo, ['clean', '-fdxq'])
  return diff
}

// ---------------------------------------------------------------------------------------------
// fixture tasks

/** A runner.sh following the contract (docs/reference-compatibility.md#task-images), lenient variant; `body` runs the tests. */
export function fixtureRunner(body = 'python3 run_tests.py'): string {
  return `#!/bin/bash
# Fixture runner: runner.sh <tests_patch> [<feature_patch>], names relative to /patches.
set -e
TEST_PATCH="$1"
FEATURE_PATCH="$2"
if [[ -z "$TEST_PATCH" ]]; then echo "Usage: runner.sh <tests_patch> [<feature_patch>]"; exit 1; fi
if [[ ! -f "/patches/$TEST_PATCH" ]]; then echo "Error: tests patch not found"; exit 1; fi
cleanup() { git -C /workspace/repo reset --hard HEAD >/dev/null 2>&1 || true; git -C /workspace/repo clean -fdx >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd /workspace/repo
git reset --hard HEAD
git clean -fdx
apply_patch() { git apply --ignore-whitespace --ignore-space-change "/patches/$1" || git apply --3way "/patches/$1"; }
if [[ -n "$FEATURE_PATCH" ]]; then apply_patch "$FEATURE_PATCH"; fi
apply_patch "$TEST_PATCH"
export PYTHONDONTWRITEBYTECODE=1
set +e
${body}
`
}

/** Runs tests/test_*.py with unittest and prints a pytest-style summary line. */
const RUN_TESTS_PY = `import sys, time, unittest
start = time.time()
result = unittest.TextTestRunner(verbosity=2).run(unittest.defaultTestLoader.discover("tests"))
failed = len(result.failures) + len(result.errors)
passed = result.testsRun - failed - len(result.skipped)
parts = ([f"{failed} failed"] if failed else []) + [f"{passed} passed"]
print(f"===== {', '.join(parts)} in {time.time() - start:.2f}s =====")
sys.exit(1 if failed or passed == 0 else 0)
`

export interface FixtureFeature {
  /** Edits of the gold implementation. */
  gold: Record<string, string | null>
  /** Edits of the hidden tests. */
  tests: Record<string, string | null>
}

export interface FixtureSpec {
  /** Files of the base commit, besides run_tests.py and tests/__init__.py. */
  files: Record<string, string>
  /** Edits committed after the base (in the bundle, so their blobs exist in the sandbox). */
  later?: Record<string, string | null>
  features: FixtureFeature[]
  runner?: string
}

export interface FixtureTask {
  task: Task
  dir: string
  baseCommit: string
  /** A host clone at base (for computing patches); removed by cleanup. */
  repo: string
  cleanup(): Promise<void>
}

/** A one-task dataset in a temp dir: bundle, setup.sh with the base commit, runner.sh, manifest, features. */
export async function makeFixtureTask(spec: FixtureSpec): Promise<FixtureTask> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-eval-fixture-'))
  const source = join(dir, 'source')
  await mkdir(join(source, 'tests'), { recursive: true })
  git(source, ['init', '--quiet', '--initial-branch=main'])
  const files = { 'run_tests.py': RUN_TESTS_PY, 'tests/__init__.py': '', ...spec.files }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(source, path)), { recursive: true })
    await writeFile(join(source, path), content)
    if (path.startsWith('.githooks/')) await chmod(join(source, path), 0o755)
  }
  git(source, ['add', '-A'])
  git(source, ['commit', '--quiet', '-m', 'base'])
  const baseCommit = git(source, ['rev-parse', 'HEAD']).trim()

  const taskDir = join(dir, 'fixture_task', 'task1')
  await mkdir(taskDir, { recursive: true })
  for (const [i, feature] of spec.features.entries()) {
    const fdir = join(taskDir, `feature${i + 1}`)
    await mkdir(fdir)
    await writeFile(join(fdir, 'feature.md'), `# Feature ${i + 1}\n`)
    await writeFile(join(fdir, 'feature.patch'), await diffOf(source, feature.gold))
    await writeFile(join(fdir, 'tests.patch'), await diffOf(source, feature.tests))
  }
  if (spec.later !== undefined) {
    for (const [path, content] of Object.entries(spec.later)) {
      if (content === null) await rm(join(source, path), { force: true })
      else await writeFile(join(source, path), content)
    }
    git(source, ['add', '-A'])
    git(source, ['commit', '--quiet', '-m', 'later'])
    git(source, ['checkout', '--quiet', '--detach', baseCommit])
  }
  git(source, ['bundle', 'create', '--quiet', join(taskDir, 'repo.bundle'), '--all'])
  await writeFile(join(taskDir, 'runner.sh'), spec.runner ?? fixtureRunner(), { mode: 0o755 })
  await writeFile(join(taskDir, 'setup.sh'), `#!/bin/bash\nBASE_COMMIT="${baseCommit}"\n`)
  await writeFile(join(taskDir, 'cooperbench.json'), JSON.stringify({ local: { hostTools: ['bash', 'git', 'python3'] } }))

  const dataset = await loadDataset(dir)
  const task = dataset.tasks[0]!
  return { task, dir, baseCommit, repo: source, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
