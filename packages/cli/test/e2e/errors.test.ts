import { cp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SAMPLE_DATASET,
  requireSampleDataset,
  bwrapUnavailable,
  type CliResult,
  describeResult,
  linesStartingWith,
  makeWorkdir,
  requireLocalBackend,
  runCli,
  snapshotTree,
  stackLines,
  tempDir,
  useDemoDatasetCopy,
  type Workdir,
} from './helpers.js'

const dataset = useDemoDatasetCopy()

/**
 * logs/ of an earlier run, copied into every test's working directory: a refused command must
 * leave it exactly as it was. Made with the real CLI when the local backend works here, else a
 * stand-in folder (the refusals below happen before any backend is touched).
 */
let previousLogs: string
beforeAll(async () => {
  const w = await makeWorkdir('previous-run', 'file')
  previousLogs = w.logs
  if (bwrapUnavailable === null) {
    const r = await runCli(
      ['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-a', 'oracle', '--setting', 'solo', '-n', 'prev'],
      w.options(),
    )
    if (r.code !== 0) throw new Error(`the previous run failed: ${describeResult(r)}`)
  } else {
    await mkdir(join(w.logs, 'prev'), { recursive: true })
    await writeFile(join(w.logs, 'prev', 'config.json'), '{"run_name": "prev"}\n')
  }
}, 120_000)

/** A fresh working directory whose logs/ holds the previous run. */
async function workdirWithPreviousRun(prefix: string): Promise<Workdir> {
  // File-scoped: the refusals run concurrently, and a per-test cleanup would pull folders from under the others.
  const w = await makeWorkdir(prefix, 'file')
  await cp(previousLogs, w.logs, { recursive: true, preserveTimestamps: true })
  return w
}

/** The error contract of every command: exit code, one `error:` line naming the problem, a `hint:`, no stack. */
function expectUserError(r: CliResult, expected: { code: number; mentions: Array<string | RegExp> }): void {
  const report = describeResult(r)
  expect(r.code, report).toBe(expected.code)
  const errors = linesStartingWith(r.stderr, 'error:')
  expect(errors, report).toHaveLength(1)
  for (const mention of expected.mentions) {
    if (typeof mention === 'string') expect(r.stderr, report).toContain(mention)
    else expect(r.stderr, report).toMatch(mention)
  }
  expect(linesStartingWith(r.stderr, 'hint:'), report).toHaveLength(1)
  expect(stackLines(r.stderr + r.stdout), report).toEqual([])
}

/** Runs the command in a working directory holding a previous run and checks logs/ is untouched. */
async function runRefused(args: string[], setup?: (w: Workdir) => Promise<void>, env?: Record<string, string>): Promise<CliResult> {
  const w = await workdirWithPreviousRun('refused')
  await setup?.(w)
  const before = await snapshotTree(w.logs)
  expect(Object.keys(before).length).toBeGreaterThan(0)
  const r = await runCli(args, w.options(env ? { env } : {}))
  expect(await snapshotTree(w.logs), `logs/ changed\n${describeResult(r)}`).toEqual(before)
  return r
}

/**
 * One real process per kind of refusal: the dataset's, a config file's, the plugin look-up's (with
 * --json), a missing key's, eval's, the backend's. What each of the many other bad selections,
 * plugin names and run names (report's of a run that does not exist) is told is
 * unit/command-refusals.test.ts's, in process.
 */
describe.concurrent('bad input is refused with an error, a hint, a distinct exit code, no stack trace, and logs/ untouched', () => {
  const run = (...args: string[]) => ['run', '--dataset-dir', dataset(), '-a', 'oracle', '-c', '4', ...args]

  it('an unknown repo filter (-r nope_task)', async () => {
    const r = await runRefused(run('-r', 'nope_task'))
    expectUserError(r, { code: ExitCode.dataset, mentions: [/^error: .*nope_task/m, /^hint: .*textkit_task/m] })
  })

  it('an unknown key in cooperbench.config.json is named, with the close match suggested', async () => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7'), (w) => writeFile(join(w.cwd, 'cooperbench.config.json'), '{"concurrencyy": 3}\n'))
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*cooperbench\.config\.json/m, 'concurrencyy', /did you mean "concurrency"/] })
  })

  // Node's own end of a top-level await (exit 13, a warning naming the bin) comes only in a process
  // whose event loop runs empty; the .ts file's is the same jiti import (config/test/load.test.ts).
  it('a top-level await in cooperbench.config.mjs that never settles is named, not left to Node (exit 13, a warning naming the bin)', async () => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7', '-f', '1,2'), (w) =>
      writeFile(join(w.cwd, 'cooperbench.config.mjs'), 'await new Promise(() => {}); export default { concurrency: 1 }\n'),
    )
    expectUserError(r, {
      code: ExitCode.usage,
      mentions: [/^error: cannot load config file .*\/cooperbench\.config\.mjs: its top-level await never settled$/m],
    })
    expect(r.stderr, "no warning of Node's").not.toMatch(/unsettled top-level await|bin\/run\.js/)
  })

  it('a top-level await kept waiting by a live timer ends at the bound of loading a config file (set small here)', async () => {
    const config = 'await new Promise(() => { setInterval(() => {}, 1000) }); export default { concurrency: 1 }\n'
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7', '-f', '1,2'), (w) => writeFile(join(w.cwd, 'cooperbench.config.mjs'), config), {
      COOPERBENCH_CONFIG_LOAD_TIMEOUT_MS: '200',
    })
    expectUserError(r, {
      code: ExitCode.usage,
      mentions: [/^error: cannot load config file .*\/cooperbench\.config\.mjs: its top-level await did not settle within 0\.2 s$/m],
    })
  })

  it('with --json, the error is one JSON object on stdout too, with its code, hint and exit code', async () => {
    const r = await runRefused(['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-a', 'oracel', '--json'])
    expectUserError(r, { code: ExitCode.plugin, mentions: [/^error: unknown agent "oracel"/m] })
    expect(JSON.parse(r.stdout), describeResult(r)).toEqual({
      error: { code: 'PLUGIN_NOT_FOUND', message: 'unknown agent "oracel"', hint: expect.stringContaining('oracle'), details: [], exitCode: ExitCode.plugin },
    })
  })

  it.skipIf(process.env.ANTHROPIC_API_KEY)('a model whose key is missing is refused before any pair starts, naming the variable', async () => {
    const r = await runRefused([
      'run',
      '--dataset-dir',
      dataset(),
      '-r',
      'textkit_task',
      '-t',
      '7',
      '-a',
      'mini_swe_agent',
      '-m',
      'anthropic/claude-sonnet-4-5',
    ])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*ANTHROPIC_API_KEY/m] })
  })

  it('eval of a run that does not exist in --log-dir DIR: the hint lists DIR, not logs/', async () => {
    const elsewhere = join(await tempDir('elsewhere'), 'my runs')
    await mkdir(elsewhere)
    const r = await runRefused(['eval', '--dataset-dir', dataset(), '-n', 'no-such-run', '--log-dir', elsewhere])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*no-such-run/m, `\`ls '${elsewhere}'\` lists the runs`] })
    expect(r.stderr).not.toContain('ls logs/')
  })

  it('eval without -n prints the reference error exactly and exits 1', async () => {
    const r = await runRefused(['eval', '--dataset-dir', dataset()])
    expect(r.code, describeResult(r)).toBe(1)
    expect(r.stderr).toBe('error: -n/--name is required for eval command\n')
    expect(r.stdout).toBe('')
  })

  it('the reference sample (no cooperbench.json, no bundle) on the local backend: refused before any agent starts, with a hint to use Docker', async (ctx) => {
    requireSampleDataset(ctx)
    requireLocalBackend(ctx)
    const r = await runRefused(['run', '--dataset-dir', SAMPLE_DATASET, '-r', 'go_chi_task', '-a', 'oracle'])
    expectUserError(r, { code: ExitCode.backend, mentions: [/^error: .*go_chi_task.*cooperbench\.json/m, /^hint: .*docker/im] })
    expect(r.stderr).not.toMatch(/^(done|eval) /m)
  }, 120_000)
})

// A task folder missing a tests.patch: what `dataset validate` says of it (text and --json) is
// unit/command-refusals.test.ts's, the run's refusal before any agent starts core's
// test/runner/pair-inputs.test.ts's, and the CLI's exit on that refusal (3, nothing run) is
// dataset-defects.test.ts's (a task without runner.sh, the same check).

/** A Redis URL whose database is not a number: the redis bus refuses it when the run opens the bus. */
const BAD_REDIS_URL = 'redis://127.0.0.1:6379/abc'

/**
 * The other bad flags and settings (flags given twice, bad run names, bad variables, the Redis URL
 * from the environment or a config file) are unit/command-refusals.test.ts's, in process.
 */
describe.concurrent('user errors get user hints, never "This looks like a bug", and leave no run folder', () => {
  const run = (...args: string[]) => ['run', '--dataset-dir', dataset(), '-a', 'oracle', '-r', 'textkit_task', '-t', '7', '-f', '1,2', ...args]
  const noBugHint = (r: CliResult) => expect(r.stderr, describeResult(r)).not.toMatch(/looks like a bug/)

  it('-c beyond a safe integer, refused by the flag parser: exit 2 with a hint', async () => {
    const r = await runRefused(run('-c', '9007199254740993', '-n', 'huge-c'))
    expectUserError(r, {
      code: ExitCode.usage,
      mentions: [/^error: Parsing --concurrency: Expected an integer less than or equal to 9007199254740991/m, /^hint: See `cooperbench run --help`/m],
    })
    noBugHint(r)
  })

  it('a bad Redis URL (a database that is not a number) from the --redis flag: a clean error, no run folder or run.lock; the hint names the flag', async () => {
    const r = await runRefused(run('-n', 'bad-redis', '--redis', BAD_REDIS_URL))
    expectUserError(r, {
      code: ExitCode.usage,
      mentions: [
        /^ {2}- buses\.redis\.url: must be a redis:\/\/ or rediss:\/\/ URL naming a host, with a database number/m,
        /^hint: buses\.redis\.url is the Redis URL, set by --redis: fix it there\.$/m,
      ],
    })
  })
})
