import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bubblewrapProblem } from '@cooperbench/testkit'
import { writeSubset } from '../../../dataset/test/fixture.js'
import { afterAll, beforeAll, expect, vi } from 'vitest'
import { afterEveryFile, afterEveryTest } from '../../../../scripts/test/after-every.js'
import { sharedOnce } from '../../../../scripts/test/shared-once.js'

/** The monorepo root, found from this file so the suite runs from any working directory. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)))
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'run.js')
/** The demo dataset (textkit_task and friends), runnable on the local backend. */
export const DEMO_DATASET = join(REPO_ROOT, 'dataset')

/** `run` arguments choosing one pair of the demo dataset: textkit_task `task`, `features` (comma-separated). */
export function demoPair(task = 7, features = '1,2'): string[] {
  return ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', String(task), '-f', features]
}
/** Three real reference-format tasks without bundles; optional on a developer machine, required in CI. */
export { requireSampleDataset, SAMPLE_DATASET } from '../../../dataset/test/support/sample-dataset.js'

/** What one CLI invocation did. */
export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Wall time of the child in milliseconds. */
  ms: number
}

export interface CliOptions {
  /** Working directory of the child; `./logs` and `./cooperbench.config.json` are looked up here. */
  cwd: string
  /** Extra environment variables (added to a copy of this process' environment, minus COOPERBENCH_*). */
  env?: Record<string, string>
  /** Temp directory of the child (TMPDIR): the local backend keeps its sandboxes under it. */
  tmp?: string
  /** Kill the child (SIGKILL) after this long; the test then fails on the exit code. */
  timeoutMs?: number
  /** Start the child in its own process group, so a signal can reach it and its children, like Ctrl+C does. */
  detached?: boolean
  /** The Node.js that runs the CLI; default this process's. */
  node?: string
}

/** The test file's empty plugin data folder: made on first use, removed (and forgotten) when the file ends. */
let sharedEmptyDataDir: string | undefined
function emptyDataDir(): string {
  if (!sharedEmptyDataDir) {
    sharedEmptyDataDir = mkdtempSync(join(tmpdir(), 'cb-e2e-data-'))
    removeAfterFile.push(sharedEmptyDataDir)
  }
  return sharedEmptyDataDir
}
// A worker runs several files one after another (isolate: false): the next file makes its own.
afterEveryFile(() => {
  sharedEmptyDataDir = undefined
})

/**
 * For a file that calls the CLI's API in its own process (`verifyBundle`, `bundleRuns`, `report()`):
 * those calls made as hermetic as its CLI processes, for the file's tests. No COOPERBENCH_* setting
 * of the caller's, and the file's empty plugin data folder, so a developer's settings and
 * installed plugins stay out. Call at the top level of the test file.
 */
export function hermeticApiCalls(): void {
  beforeAll(() => {
    for (const name of Object.keys(process.env)) if (name.startsWith('COOPERBENCH_')) vi.stubEnv(name, undefined)
    vi.stubEnv('COOPERBENCH_DATA_DIR', emptyDataDir())
  })
  afterAll(() => {
    vi.unstubAllEnvs()
  })
}

/** Node's compile cache for every CLI the suite starts (bin/run.js turns it on). */
const SHARED_COMPILE_CACHE = join(tmpdir(), 'cb-e2e-node-compile-cache')

/** The child's environment: hermetic with respect to COOPERBENCH_* settings of the caller. */
function childEnv(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('COOPERBENCH_')) env[key] = value
  // An empty plugin data folder unless a test names one: plugins a user installed stay out.
  Object.assign(env, { NO_COLOR: '1', FORCE_COLOR: '0', COOPERBENCH_DATA_DIR: emptyDataDir() }, options.env ?? {})
  if (options.tmp) env.TMPDIR = options.tmp
  // One cache for the whole suite, not one per test's TMPDIR.
  env.NODE_COMPILE_CACHE ??= SHARED_COMPILE_CACHE
  return env
}

/** A running CLI child: its process, its output so far, and its end. */
export interface CliProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when `pattern` occurs in stderr (true) or after `timeoutMs` (false). */
  waitForStderr(pattern: RegExp, timeoutMs: number): Promise<boolean>
  /** Resolves when `pattern` occurs in stdout (true) or after `timeoutMs` (false). */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<boolean>
  result: Promise<CliResult>
}

/** Starts `cooperbench <args>` as a child process. */
export function startCli(args: string[], options: CliOptions): CliProcess {
  const started = Date.now()
  const child = spawn(options.node ?? process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  })
  let stdout = ''
  let stderr = ''
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of [...listeners]) listener()
  }
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    notify()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    notify()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000)
  const result = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const finish = () => {
        notify()
        resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started })
      }
      // Output still in the pipes arrives before 'close'; a leaked grandchild holding the pipes
      // open must not hang the test, so give up waiting after a grace period.
      const grace = setTimeout(finish, 2_000)
      child.on('close', () => {
        clearTimeout(grace)
        finish()
      })
    })
  })
  const waitFor = (read: () => string) => (pattern: RegExp, timeoutMs: number) =>
    new Promise<boolean>((resolveWait) => {
      const check = () => {
        if (pattern.test(read())) done(true)
        else if (child.exitCode !== null || child.signalCode !== null) done(false)
      }
      const done = (value: boolean) => {
        clearTimeout(deadline)
        listeners.delete(check)
        resolveWait(value)
      }
      const deadline = setTimeout(() => done(false), timeoutMs)
      listeners.add(check)
      check()
    })
  return { child, stdout: () => stdout, stderr: () => stderr, waitForStderr: waitFor(() => stderr), waitForStdout: waitFor(() => stdout), result }
}

/** Runs `cooperbench <args>` to its end. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).result
}

/**
 * `cooperbench <args>` run in the test's own process (`cliInProcess`), in `options.cwd` with its
 * TMPDIR and env, as a `CliResult`: for tests of what a command does or says, not of a process's
 * start (~0.5 s of CPU each). Loaded on first use, so files that start only real processes don't
 * load the CLI's config. `timeoutMs` bounds the command as it bounds a process; `detached` and
 * `node` are about a process and do not apply.
 */
export async function runCliInProcess(args: string[], options: CliOptions): Promise<CliResult> {
  const { cliInProcess } = await import('../unit/in-process-cli.js')
  const started = Date.now()
  const env = { NO_COLOR: '1', FORCE_COLOR: '0', ...(options.tmp ? { TMPDIR: options.tmp } : {}), ...options.env }
  const r = await cliInProcess(args, { cwd: options.cwd, env, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) })
  return { code: r.code ?? null, signal: null, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started }
}

/** Both streams, for assertion messages: a failing expectation then shows what the CLI said. */
export function describeResult(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`
}

/** The lines of `text` that start with `prefix` (e.g. `error:`). */
export function linesStartingWith(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix))
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at\s/.test(line))
}

// ---------------------------------------------------------------------------------------------
// Temp folders

const removeAfterTest: string[] = []
const removeAfterFile: string[] = []
const removeAll = (dirs: string[]) => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }).catch(() => {})))

afterEveryTest(() => removeAll(removeAfterTest))
afterEveryFile(() => removeAll(removeAfterFile))

/** How long a temp folder lives: until the end of the current test, or of the test file. */
export type TempScope = 'test' | 'file'

/** A fresh temp folder, removed after the current test (or, with `'file'`, after the file's tests). */
export async function tempDir(prefix: string, scope: TempScope = 'test'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cb-e2e-${prefix}-`))
  ;(scope === 'test' ? removeAfterTest : removeAfterFile).push(dir)
  return dir
}

/**
 * A private working directory (`cwd`, whose `./logs` is the log root) and a private TMPDIR
 * (`tmp`) for one test, so that sandboxes and logs of concurrent tests never mix.
 */
export interface Workdir {
  /** The unique name of this workdir's temp folder: any process mentioning it belongs to this test. */
  id: string
  cwd: string
  tmp: string
  logs: string
  /** The local backend's workspace root under this TMPDIR. */
  sandboxRoot: string
  /** Options for `runCli` with this cwd and TMPDIR. */
  options(extra?: Omit<CliOptions, 'cwd' | 'tmp'>): CliOptions
}

export async function makeWorkdir(prefix: string, scope: TempScope = 'test'): Promise<Workdir> {
  const base = await tempDir(prefix, scope)
  const cwd = join(base, 'work')
  const tmp = join(base, 'tmp')
  await mkdir(cwd)
  await mkdir(tmp)
  return {
    id: basename(base),
    cwd,
    tmp,
    logs: join(cwd, 'logs'),
    sandboxRoot: join(tmp, 'cooperbench-local'),
    options: (extra = {}) => ({ ...extra, cwd, tmp }),
  }
}

/**
 * Copies the given repo folders of the demo dataset (all `*_task` folders by default) into a
 * new folder; for tests that damage a dataset.
 */
export async function copyDemoDataset(dest: string, repos?: string[]): Promise<string> {
  const names = repos ?? (await readdir(DEMO_DATASET)).filter((n) => n.endsWith('_task'))
  await mkdir(dest, { recursive: true })
  for (const name of names) await cp(join(DEMO_DATASET, name), join(dest, name), { recursive: true })
  return dest
}

/**
 * A private copy of the demo dataset's `textkit_task` for the calling test file, made before its
 * tests and removed after them. The demo dataset is regenerated while people work on it; a copy
 * keeps one file's runs on one consistent version. Returns a getter of the copy's path.
 */
export function useDemoDatasetCopy(repos: string[] = ['textkit_task']): () => string {
  let dir: string | null = null
  beforeAll(async () => {
    dir = await copyDemoDataset(await tempDir('dataset', 'file'), repos)
  })
  return () => {
    if (dir === null) throw new Error('useDemoDatasetCopy: the copy is made in beforeAll; call the getter inside a test')
    return dir
  }
}

/** Writes the subset `name` into the dataset at `root`: the given pairs (`'1,2'`) of one textkit_task task. */
export async function writeTextkitSubset(root: string, name: string, taskId: number, pairs: string[]): Promise<void> {
  await writeSubset(root, name, { name, tasks: [{ repo: 'textkit_task', task_id: taskId, pairs: pairs.map((pair) => pair.split(',').map(Number)) }] })
}

// ---------------------------------------------------------------------------------------------
// Files

export async function readJson<T = any>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T
}

/** Every file below `dir`, as paths relative to it, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) await walk(path)
      else out.push(relative(dir, path))
    }
  }
  if (existsSync(dir)) await walk(dir)
  return out.sort()
}

/**
 * A comparable picture of a tree: every folder and file with, for files, size, mtime and a
 * content hash. Two equal snapshots mean nothing was created, deleted, rewritten or touched.
 */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {}
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      const key = relative(dir, path)
      if (entry.isDirectory()) {
        snapshot[`${key}/`] = 'dir'
        await walk(path)
      } else {
        const info = await stat(path)
        const hash = createHash('sha256')
          .update(await readFile(path))
          .digest('hex')
        snapshot[key] = `${info.size} ${info.mtimeMs} ${hash}`
      }
    }
  }
  if (existsSync(dir)) await walk(dir)
  return snapshot
}

/** The pair folders of a run and setting: `<logs>/<run>/<setting>/<repo>/<task>/<pair>`. */
export async function pairDirs(logs: string, run: string, setting: string): Promise<string[]> {
  const root = join(logs, run, setting)
  const dirs: string[] = []
  if (!existsSync(root)) return dirs
  for (const repo of (await readdir(root)).sort()) {
    for (const task of (await readdir(join(root, repo))).sort()) {
      for (const pair of (await readdir(join(root, repo, task))).sort()) dirs.push(join(root, repo, task, pair))
    }
  }
  return dirs
}

/** `f3_f4` → [3, 4]. */
export function featuresOfPairDir(dir: string): number[] {
  const name = dir.split('/').at(-1)!
  return name.split('_').map((part) => Number(part.slice(1)))
}

export async function mtimeOf(path: string): Promise<number> {
  return (await stat(path)).mtimeMs
}

// ---------------------------------------------------------------------------------------------
// Sandboxes

/** Why the local backend cannot run here, or null when it can. */
export const bwrapUnavailable = bubblewrapProblem()

/**
 * Skips the calling test when the local backend cannot run on this machine; in CI (`CI` set)
 * fails instead, since there the local backend must be tested.
 */
export function requireLocalBackend(context: { skip: (note?: string) => void }): void {
  if (bwrapUnavailable === null) return
  if (process.env.CI) throw new Error(`${bwrapUnavailable}, and CI is set: the end-to-end tests of the local backend must run in CI`)
  context.skip(bwrapUnavailable)
}

/**
 * Whether a Docker engine answers here. The tests that need one skip without it, except under CI
 * (`CI` set), where loading the file fails instead: there `suite` must run.
 */
export function dockerEngineAnswers(suite: string): boolean {
  const answers = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
  if (!answers && process.env.CI) throw new Error(`no Docker engine answers, and CI is set: ${suite} must run`)
  return answers
}

/**
 * The demo base image (built offline when it is missing) and the demo subset's task images, built
 * with `images build` as a user would (no network, nothing pulled): what the tests of
 * Docker-backed runs need first. Built once per suite run by the first file that asks (the engine
 * is shared, so the images are too); the others wait for it.
 */
export async function buildDemoImages(): Promise<void> {
  await sharedOnce('demo-task-images', async () => {
    const base = spawnSync('docker', ['image', 'inspect', 'cooperbench-demo-base:latest'], { stdio: 'ignore' })
    if (base.status !== 0) spawnSync('bash', ['scripts/build-base-image.sh'], { cwd: REPO_ROOT, stdio: 'ignore' })
    const w = await makeWorkdir('demo-images', 'file')
    const config = { backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
    const built = await runCli(['images', 'build', '-s', 'demo', '--dataset-dir', DEMO_DATASET, '-c', '2'], w.options({ timeoutMs: 600_000 }))
    if (built.code !== 0) throw new Error(`images build failed:\n${describeResult(built)}`)
  })
}

/**
 * Live processes (zombies excluded) whose command line or mount table mentions `needle`, as
 * `<pid> <command line>`. Sandboxed processes are found by their mounts: bwrap takes its
 * arguments through a file descriptor (`--args 3`), so its command line names no path, but every
 * process in a sandbox has the workspace's folders bound into its mount namespace.
 */
export function processesUsing(needle: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const state = stat.charAt(stat.lastIndexOf(')') + 2)
      if (state === 'Z' || state === 'X') continue
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      let mounts = ''
      try {
        mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      } catch {
        // not ours to read, or gone
      }
      if (cmdline.includes(needle) || mounts.includes(needle)) found.push(`${pid} ${cmdline}`)
    } catch {
      // the process ended while we looked
    }
  }
  return found
}

/**
 * What the local backend left in its workspace root: every entry except the bundle cache
 * (`.cache`, kept on purpose between runs). Sandbox workspaces and preflight probes must be gone.
 */
export async function leftoverSandboxes(sandboxRoot: string): Promise<string[]> {
  if (!existsSync(sandboxRoot)) return []
  return (await readdir(sandboxRoot)).filter((name) => name !== '.cache')
}

/** What a run in `w` must leave behind: no live process using its folders (CLI, bwrap, sandboxed commands), no sandbox workspace. */
export async function expectNothingLeft(w: Workdir): Promise<void> {
  expect(processesUsing(w.id), 'a process of this test is left').toEqual([])
  expect(await leftoverSandboxes(w.sandboxRoot)).toEqual([])
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The Wilson score interval at 95 %, computed independently of the harness. */
export function wilson(successes: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 }
  const p = successes / n
  const denominator = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denominator
  const margin = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) }
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/

/** The verdict projection the committed demo verdicts use, for comparing two runs' eval.json files. */
export { verdictOf } from './expected-verdicts.js'

/**
 * A plugin named in `cwd`'s config file (written here: `cwd` must have none) that writes a line each
 * time it is loaded; returns the count so far: how many times the commands started in `cwd` since
 * loaded the plugins. jiti, which loads it, keeps its module cache in TMPDIR (`jiti`).
 */
export async function countPluginLoads(cwd: string): Promise<() => Promise<number>> {
  const plugin = `import { appendFileSync } from 'node:fs'
export default { name: 'count-loads', version: '0.0.1', register() { appendFileSync(new URL('./loads.txt', import.meta.url), 'loaded\\n') } }
`
  await writeFile(join(cwd, 'count-loads.mjs'), plugin)
  await writeFile(join(cwd, 'loads.txt'), '')
  await writeFile(join(cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./count-loads.mjs'] }))
  return async () => (await readFile(join(cwd, 'loads.txt'), 'utf8')).split('\n').filter(Boolean).length
}
