/**
 * `cooperbench <argv>` run in the test's own process: oclif's `run` (bin/run.js's entry) on the
 * CLI's config, its plugins loaded once per worker. A command's parsing, look-ups and printing cost
 * milliseconds this way, not a CLI start (~0.4 s of CPU); the e2e tests show the same in a real
 * process once.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExitCode } from '@cooperbench/core'
import { Config, run } from '@oclif/core'
import { vi } from 'vitest'

/**
 * Hermetic as the e2e tests' CLI processes are: no COOPERBENCH_* setting of the caller's, and a
 * plugin data folder that does not exist, so plugins a user installed stay out (removed after each
 * command, should one make it).
 */
const NO_PLUGINS = join(tmpdir(), `cb-in-process-no-plugins-${process.pid}`)
/**
 * Sets that environment and returns what puts the one before back exactly, so that a file's own
 * settings (`vi.stubEnv`, `hermeticApiCalls`) outlive the command (`vi.unstubAllEnvs` would drop them).
 */
function hermeticEnv(extra: Record<string, string>): () => void {
  const before = { ...process.env }
  for (const name of Object.keys(process.env)) if (name.startsWith('COOPERBENCH_')) delete process.env[name]
  Object.assign(process.env, { COOPERBENCH_DATA_DIR: NO_PLUGINS }, extra)
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name]
    Object.assign(process.env, before)
  }
}

const restoreEnv = hermeticEnv({})
const oclif = await Config.load(fileURLToPath(new URL('../..', import.meta.url)))
restoreEnv()

/** The process's signal and exit handlers, as `event:count` pairs. */
function processListeners(): string {
  return (['SIGINT', 'SIGTERM', 'exit', 'beforeExit'] as const).map((event) => `${event}:${process.listenerCount(event)}`).join(' ')
}

export interface CliRun {
  /** The exit code the process would have had. */
  code: number | undefined
  stdout: string
  stderr: string
  /** What the command left in its working directory besides the files it was given. */
  made: string[]
}

/**
 * How long an in-process command may take before the test gives up on it: a guard against a hang,
 * as the real processes' kill timer is (their default, 180 s).
 */
const IN_PROCESS_TIMEOUT_MS = 180_000

/**
 * The command's end, or an error once `timeoutMs` has passed. A hung command cannot be killed
 * as a process can; given up on, it still gets its cwd, environment, exit code and output streams
 * put back (the caller's `finally`), so the worker's next tests do not run inside its state.
 */
async function untilDone(command: Promise<unknown>, argv: string[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cooperbench ${argv.join(' ')} did not finish within ${timeoutMs} ms in-process`)), timeoutMs)
  })
  try {
    await Promise.race([command, expired])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs the command in a fresh working directory holding `files`, with `env` added, its stdout and
 * stderr captured; the directory is removed after. Or in `cwd`, a test's own folder, kept as the
 * command left it. Commands run one at a time (the working directory is the process's).
 */
export async function cliInProcess(
  argv: string[],
  {
    env = {},
    files = {},
    cwd: given,
    timeoutMs = IN_PROCESS_TIMEOUT_MS,
  }: { env?: Record<string, string>; files?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  const cwd = given ?? (await mkdtemp(join(tmpdir(), 'cb-in-process-')))
  for (const [name, content] of Object.entries(files)) await writeFile(join(cwd, name), content)
  const before = process.cwd()
  let stderr = ''
  let stdout = ''
  const capture = (append: (text: string) => void) => (chunk: unknown) => {
    append(String(chunk))
    return true
  }
  const errWrite = vi.spyOn(process.stderr, 'write').mockImplementation(capture((text) => (stderr += text)) as never)
  const outWrite = vi.spyOn(process.stdout, 'write').mockImplementation(capture((text) => (stdout += text)) as never)
  // oclif's `this.log` goes through console.log, which vitest takes over.
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout += `${args.map(String).join(' ')}\n`
  })
  const restoreEnv = hermeticEnv(env)
  const listeners = processListeners()
  const exitCodeBefore = process.exitCode
  process.exitCode = undefined
  let code: number | undefined
  try {
    process.chdir(cwd)
    // oclif's own entry, as bin/run.js calls it: topics as words (`agents list`), --help.
    await untilDone(run(argv, oclif), argv, timeoutMs)
    // A command that reports a failure and returns (export, report) sets the process's exit code.
    code = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok
  } catch (error) {
    // A command that ends otherwise throws oclif's ExitError, which carries the exit code.
    code = (error as { oclif?: { exit?: number } }).oclif?.exit
    if (code === undefined) throw error
  } finally {
    process.exitCode = exitCodeBefore
    process.chdir(before)
    errWrite.mockRestore()
    outWrite.mockRestore()
    log.mockRestore()
    restoreEnv()
    await rm(NO_PLUGINS, { recursive: true, force: true })
  }
  // A handler a command leaves on the test's process would act on the next test's signals: such a
  // command is not one to run in-process.
  const left = processListeners()
  if (left !== listeners) throw new Error(`cooperbench ${argv.join(' ')} left process listeners: ${listeners} before, ${left} after`)
  try {
    const made = (await readdir(cwd)).filter((name) => !(name in files)).sort()
    return { code, stdout, stderr, made }
  } finally {
    if (given === undefined) await rm(cwd, { recursive: true, force: true })
  }
}
