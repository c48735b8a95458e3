/**
 * What each bad input to `run` and `eval` is told: the exit code, the one `error:` line and the
 * hint of its refusal, and that no logs/ folder is made. The commands run in this process
 * (in-process-cli.ts), so a bad input costs a parse and a look-up, not a CLI start. e2e/errors.test.ts shows, once per kind of refusal, that the real
 * process prints the same as one line with its hint, exits with that code, and leaves logs/ of an
 * earlier run as it was.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExitCode } from '@cooperbench/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, cliInProcess } from './in-process-cli.js'

const DEMO_DATASET = fileURLToPath(new URL('../../../../dataset', import.meta.url))

/**
 * Runs `cooperbench <argv>` in this process (in-process-cli.ts); checks that the refused command
 * made nothing in its working directory (no logs/, no run folder).
 */
async function refusal(argv: string[], options: { env?: Record<string, string>; files?: Record<string, string> } = {}): Promise<CliRun> {
  const r = await cliInProcess(argv, options)
  expect(r.made, `the refused command wrote into its working directory\n${r.stderr}`).toEqual([])
  return r
}

/** The refusal's exit code, its one `error:` line, its one `hint:` line; a user's error is never called a bug. */
function expectRefused(r: CliRun, expected: { code: number; error: RegExp; hint?: RegExp; details?: string[] }): void {
  const report = `exit ${r.code}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout}`
  expect(r.code, `the exit code\n${report}`).toBe(expected.code)
  const errors = r.stderr.split('\n').filter((line) => line.startsWith('error:'))
  expect(errors, `one error line\n${report}`).toHaveLength(1)
  expect(errors[0], `what the error line says\n${report}`).toMatch(expected.error)
  const hints = r.stderr.split('\n').filter((line) => line.startsWith('hint:'))
  expect(hints, `one hint line\n${report}`).toHaveLength(1)
  if (expected.hint) expect(hints[0], `what the hint says\n${report}`).toMatch(expected.hint)
  for (const detail of expected.details ?? []) expect(r.stderr, `a detail line\n${report}`).toContain(`\n  - ${detail}`)
  expect(r.stderr, `a user's error is not called a bug\n${report}`).not.toMatch(/looks like a bug/)
}

/** A copy of the demo dataset's textkit_task, with subset files of its own. */
let dataset: string
beforeAll(async () => {
  dataset = join(await mkdtemp(join(tmpdir(), 'cb-refusal-dataset-')), 'dataset')
  await cp(join(DEMO_DATASET, 'textkit_task'), join(dataset, 'textkit_task'), { recursive: true })
  await mkdir(join(dataset, 'subsets'))
  await writeFile(join(dataset, 'subsets', 'bad.json'), '{"tasks": [')
  await writeFile(join(dataset, 'subsets', 'typo.json'), JSON.stringify({ tasks: [{ repo: 'textkit_task', task_id: 7, group: [[1, 2, 3]] }] }))
})
afterAll(async () => {
  await rm(join(dataset, '..'), { recursive: true, force: true })
})

const run = (...args: string[]) => ['run', '--dataset-dir', dataset, '-a', 'oracle', ...args]
const runPair = (...args: string[]) => run('-r', 'textkit_task', '-t', '7', '-f', '1,2', ...args)

describe('run refuses a selection the dataset does not have', () => {
  it('an unknown task (-t 999): the hint lists the tasks there are', async () => {
    expectRefused(await refusal(run('-r', 'textkit_task', '-t', '999')), { code: ExitCode.dataset, error: /999/, hint: /\b7\b/ })
  })

  it('a missing subset (-s nope) names the path it looked for', async () => {
    expectRefused(await refusal(run('-s', 'nope')), { code: ExitCode.dataset, error: /subsets\/nope\.json/ })
  })

  it('a dataset folder that does not exist is named', async () => {
    const missing = join(tmpdir(), 'cb-refusal-no-such-dataset')
    expectRefused(await refusal(['run', '--dataset-dir', missing, '-a', 'oracle']), { code: ExitCode.dataset, error: new RegExp(missing) })
  })

  it('a subset file that is not JSON, or has an unknown key, is bad usage (exit 2), never an empty or whole selection', async () => {
    expectRefused(await refusal(run('-s', 'bad')), { code: ExitCode.usage, error: /subsets\/bad\.json.*not valid JSON/ })
    expectRefused(await refusal(run('-s', 'typo')), { code: ExitCode.usage, error: /tasks\[0\]\.group: unknown key/ })
  })

  it('-f with three ids and --agents 2: exactly two are required, the hint offers --agents 3', async () => {
    expectRefused(await refusal(run('-r', 'textkit_task', '-t', '7', '-f', '1,2,3', '--agents', '2')), {
      code: ExitCode.usage,
      error: /-f.*exactly two/,
      hint: /--agents 3/,
    })
  })

  it('a selection with no pair to run (no team of 9 in a task of 4 features) exits 3, as the exit-code table says', async () => {
    expectRefused(await refusal(run('-r', 'textkit_task', '-t', '7', '--agents', '9')), { code: ExitCode.dataset, error: /^error: no tasks found/ })
  })

  it('a subset of groups of 3 with --agents 2 disagrees, the hint offers --agents 3', async () => {
    expectRefused(await refusal(['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '--agents', '2', '-a', 'oracle']), {
      code: ExitCode.usage,
      error: /^error: subset "team3_clean" lists pairs of 3 features; --agents 2 disagrees/,
      hint: /--agents 3/,
    })
  })
})

describe('run refuses a plugin it does not have', () => {
  it('an unknown agent (-a nope): the hint lists the agents there are', async () => {
    expectRefused(await refusal(['run', '--dataset-dir', dataset, '-r', 'textkit_task', '-t', '7', '-a', 'nope']), {
      code: ExitCode.plugin,
      error: /"nope"/,
      hint: /oracle/,
    })
  })

  it('a mistyped agent or backend (-a oracel, --backend dockr) gets a "did you mean"', async () => {
    expectRefused(await refusal(['run', '--dataset-dir', dataset, '-r', 'textkit_task', '-t', '7', '-a', 'oracel']), {
      code: ExitCode.plugin,
      error: /^error: unknown agent "oracel"/,
      hint: /^hint: Did you mean "oracle"\?/,
    })
    expectRefused(await refusal(runPair('--backend', 'dockr')), {
      code: ExitCode.plugin,
      error: /^error: unknown backend "dockr"/,
      hint: /^hint: Did you mean "docker"\?/,
    })
  })
})

describe('run and eval refuse bad flags and settings, pointing at where they were given', () => {
  it.each([
    ['-a given twice', ['-a', 'oracle', '-n', 'twice-a'], /^error: Flag --agent can only be specified once/],
    ['-n given twice', ['-n', 'a', '-n', 'b'], /^error: Flag --name can only be specified once/],
  ])('%s: exit 2, the hint points at run --help', async (_, args, message) => {
    expectRefused(await refusal(runPair(...args)), { code: ExitCode.usage, error: message, hint: /^hint: See `cooperbench run --help`/ })
  })

  // A new user's bad values, alone on the command line: the parser's reason, not a bug report.
  it.each([
    [['-c', '0'], /^error: Parsing --concurrency: Expected an integer greater than or equal to 1 but received: 0$/],
    [['-c', 'abc'], /^error: Parsing --concurrency: Expected an integer but received: abc$/],
    [['-t', 'abc'], /^error: Parsing --task: Expected an integer but received: abc$/],
  ])('run %j: exit 2 with the parser’s reason', async (args, message) => {
    expectRefused(await refusal(['run', ...args]), { code: ExitCode.usage, error: message, hint: /^hint: See `cooperbench run --help`/ })
  })

  it.each([['../evil'], ['a/b'], ['.'], ['']])('-n %j, not a folder name: exit 2 naming -n/--name, not the options of run()', async (name) => {
    const r = await refusal(runPair('-n', name))
    expectRefused(r, {
      code: ExitCode.usage,
      error: /^error: invalid configuration in command-line flags$/,
      hint: /^hint: Fix those flags/,
      details: [`-n/--name ${JSON.stringify(name)}: must be a folder name`],
    })
    expect(r.stderr, 'the flag is named as the user typed it').not.toMatch(/options given to run\(\)|camelCased/)
  })

  it('eval -n ../evil: the same, for eval', async () => {
    const r = await refusal(['eval', '--dataset-dir', dataset, '-n', '../evil'])
    expectRefused(r, {
      code: ExitCode.usage,
      error: /^error: invalid configuration in command-line flags$/,
      hint: /^hint: Fix those flags/,
      details: ['-n/--name "../evil": must be a folder name'],
    })
    expect(r.stderr, 'the flag is named as the user typed it').not.toMatch(/options given to evaluate\(\)/)
  })

  it('eval or report of a run that does not exist names the run', async () => {
    expectRefused(await refusal(['eval', '--dataset-dir', dataset, '-n', 'no-such-run']), { code: ExitCode.usage, error: /no-such-run/ })
    expectRefused(await refusal(['report', '-n', 'no-such-run']), { code: ExitCode.usage, error: /no-such-run/ })
  })

  it('COOPERBENCH_CONCURRENCY=1e21: exit 2 naming the variable', async () => {
    const r = await refusal(runPair('-n', 'env-c'), { env: { COOPERBENCH_CONCURRENCY: '1e21' } })
    expectRefused(r, { code: ExitCode.usage, error: /./ })
    expect(r.stderr, 'the variable and its value are named').toMatch(/COOPERBENCH_CONCURRENCY: must be an integer, got "1e21"/)
  })

  // The --redis flag's case is errors.test.ts's, in a real process.
  it.each([
    [
      'COOPERBENCH_REDIS_URL',
      { env: { COOPERBENCH_REDIS_URL: 'redis://127.0.0.1:6379/abc' } },
      /^hint: buses\.redis\.url is the Redis URL, set by COOPERBENCH_REDIS_URL \(the environment or \.env\): fix it there\.$/,
    ],
    [
      'redisUrl in the config file',
      { files: { 'cooperbench.config.json': JSON.stringify({ redisUrl: 'redis://127.0.0.1:6379/abc' }) } },
      /^hint: buses\.redis\.url is the Redis URL, set by redisUrl in .*\/cooperbench\.config\.json: fix it there\.$/,
    ],
  ])(
    'a bad Redis URL (a database that is not a number) from %s: the hint names where it was set, not buses.redis of the config file',
    async (_, source, hint) => {
      expectRefused(await refusal(runPair('-n', 'bad-redis'), source), {
        code: ExitCode.usage,
        error: /./,
        hint,
        details: ['buses.redis.url: must be a redis:// or rediss:// URL naming a host, with a database number'],
      })
    },
  )
})

describe('dataset validate names a missing tests.patch', () => {
  it('in its text and in --json, exiting with the dataset code', async () => {
    // A copy of its own: the shared one's broken subset files are problems too.
    const broken = join(await mkdtemp(join(tmpdir(), 'cb-no-tests-patch-')), 'dataset')
    try {
      await cp(join(DEMO_DATASET, 'textkit_task'), join(broken, 'textkit_task'), { recursive: true })
      const missing = join(broken, 'textkit_task', 'task7', 'feature2', 'tests.patch')
      await rm(missing)
      const text = await cliInProcess(['dataset', 'validate', '--dataset-dir', broken])
      expect(text.code, `the dataset's exit code\n${text.stdout}${text.stderr}`).toBe(ExitCode.dataset)
      expect(text.stdout + text.stderr, 'an error line naming the file').toMatch(/error: .*task7\/feature2\/tests\.patch/)
      const json = await cliInProcess(['dataset', 'validate', '--dataset-dir', broken, '--json'])
      expect(json.code, `the dataset's exit code with --json\n${json.stderr}`).toBe(ExitCode.dataset)
      const problems = JSON.parse(json.stdout).problems as Array<{ severity: string; path: string }>
      expect(
        problems.filter((p) => p.severity === 'error').map((p) => p.path),
        'the one error is the missing file',
      ).toEqual([missing])
    } finally {
      await rm(join(broken, '..'), { recursive: true, force: true })
    }
  })
})
