import { existsSync } from 'node:fs'
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  SAMPLE_DATASET,
  requireSampleDataset,
  bwrapUnavailable,
  type CliResult,
  copyDemoDataset,
  DEMO_DATASET,
  describeResult,
  linesStartingWith,
  makeWorkdir,
  readJson,
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

describe.concurrent('bad input is refused with an error, a hint, a distinct exit code, no stack trace, and logs/ untouched', () => {
  const run = (...args: string[]) => ['run', '--dataset-dir', dataset(), '-a', 'oracle', '-c', '4', ...args]

  it('an unknown repo filter (-r nope_task)', async () => {
    const r = await runRefused(run('-r', 'nope_task'))
    expectUserError(r, { code: ExitCode.dataset, mentions: [/^error: .*nope_task/m, /^hint: .*textkit_task/m] })
  })

  it('an unknown task (-t 999)', async () => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '999'))
    expectUserError(r, { code: ExitCode.dataset, mentions: [/^error: .*999/m, /^hint: .*\b7\b/m] })
  })

  it('a malformed subset file', async () => {
    const broken = await copyDemoDataset(join(await tempDir('bad-subset', 'file'), 'dataset'), ['textkit_task'])
    await mkdir(join(broken, 'subsets'))
    await writeFile(join(broken, 'subsets', 'bad.json'), '{"tasks": [')
    const r = await runRefused(['run', '--dataset-dir', broken, '-a', 'oracle', '-s', 'bad'])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*subsets\/bad\.json.*not valid JSON/m] })
  })

  it('a missing subset (-s nope) names the expected path', async () => {
    const r = await runRefused(run('-s', 'nope'))
    expectUserError(r, { code: ExitCode.dataset, mentions: [/^error: .*subsets\/nope\.json/m] })
  })

  it('an unknown key in cooperbench.config.json is named, with the close match suggested', async () => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7'), (w) => writeFile(join(w.cwd, 'cooperbench.config.json'), '{"concurrencyy": 3}\n'))
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*cooperbench\.config\.json/m, 'concurrencyy', /did you mean "concurrency"/] })
  })

  it.each([
    ['cooperbench.config.mjs', 'await new Promise(() => {}); export default { concurrency: 1 }\n'],
    ['cooperbench.config.ts', 'await new Promise<void>(() => {}); export default { concurrency: 1 }\n'],
  ])('a top-level await in %s that never settles is named, not left to Node (exit 13, a warning naming the bin)', async (name, content) => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7', '-f', '1,2'), (w) => writeFile(join(w.cwd, name), content))
    expectUserError(r, { code: ExitCode.usage, mentions: [new RegExp(`^error: cannot load config file .*/${name}: its top-level await never settled$`, 'm')] })
    expect(r.stderr).not.toMatch(/unsettled top-level await|bin\/run\.js/)
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

  it('a dataset folder that does not exist', async () => {
    const missing = join(await tempDir('no-dataset', 'file'), 'not-here')
    const r = await runRefused(['run', '--dataset-dir', missing, '-a', 'oracle'])
    expectUserError(r, { code: ExitCode.dataset, mentions: [new RegExp(`^error: .*${missing}`, 'm')] })
  })

  it('-f with three ids and --agents 2 (exactly two are required)', async () => {
    const r = await runRefused(run('-r', 'textkit_task', '-t', '7', '-f', '1,2,3', '--agents', '2'))
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*-f.*exactly two/m, /^hint: .*--agents 3/m] })
  })

  it('a groups subset with an --agents that disagrees, and a subset file with an unknown key', async () => {
    const disagree = await runRefused(['run', '--dataset-dir', DEMO_DATASET, '-s', 'team3_clean', '--agents', '2', '-a', 'oracle'])
    expectUserError(disagree, {
      code: ExitCode.usage,
      mentions: [/^error: subset "team3_clean" lists pairs of 3 features; --agents 2 disagrees/m, /^hint: .*--agents 3/m],
    })
    await mkdir(join(dataset(), 'subsets'), { recursive: true })
    await writeFile(join(dataset(), 'subsets', 'typo.json'), JSON.stringify({ tasks: [{ repo: 'textkit_task', task_id: 7, group: [[1, 2, 3]] }] }))
    try {
      const typo = await runRefused(['run', '--dataset-dir', dataset(), '-s', 'typo', '-a', 'oracle'])
      // A malformed subset file is bad usage (exit 2), as every SUBSET_INVALID: never an empty or whole selection.
      expectUserError(typo, { code: ExitCode.usage, mentions: [/^error: .*tasks\[0\]\.group: unknown key/m] })
    } finally {
      await rm(join(dataset(), 'subsets', 'typo.json'), { force: true })
    }
  })

  it('an unknown agent (-a nope) lists the agents there are', async () => {
    const r = await runRefused(['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-a', 'nope'])
    expectUserError(r, { code: ExitCode.plugin, mentions: [/^error: .*"nope"/m, /^hint: .*oracle/m] })
  })

  it('a mistyped agent or backend (-a oracel, --backend dockr) gets a "did you mean"', async () => {
    const agent = await runRefused(['run', '--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-a', 'oracel'])
    expectUserError(agent, { code: ExitCode.plugin, mentions: [/^error: unknown agent "oracel"/m, /^hint: Did you mean "oracle"\?/m] })
    const backend = await runRefused(run('-r', 'textkit_task', '-t', '7', '--backend', 'dockr'))
    expectUserError(backend, { code: ExitCode.plugin, mentions: [/^error: unknown backend "dockr"/m, /^hint: Did you mean "docker"\?/m] })
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

  it('eval of a run that does not exist names the run', async () => {
    const r = await runRefused(['eval', '--dataset-dir', dataset(), '-n', 'no-such-run'])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*no-such-run/m] })
  })

  it('eval of a run that does not exist in --log-dir DIR: the hint lists DIR, not logs/', async () => {
    const elsewhere = join(await tempDir('elsewhere'), 'my runs')
    await mkdir(elsewhere)
    const r = await runRefused(['eval', '--dataset-dir', dataset(), '-n', 'no-such-run', '--log-dir', elsewhere])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*no-such-run/m, `\`ls '${elsewhere}'\` lists the runs`] })
    expect(r.stderr).not.toContain('ls logs/')
  })

  it('report of a run that does not exist names the run', async () => {
    const r = await runRefused(['report', '-n', 'no-such-run'])
    expectUserError(r, { code: ExitCode.usage, mentions: [/^error: .*no-such-run/m] })
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

describe('a task folder missing a tests.patch', () => {
  it('`dataset validate` reports the file and exits non-zero; run and eval on that pair name the missing file', async (ctx) => {
    const broken = await copyDemoDataset(join(await tempDir('no-tests-patch'), 'dataset'), ['textkit_task'])
    const missing = join(broken, 'textkit_task', 'task7', 'feature2', 'tests.patch')
    await rm(missing)

    const w = await workdirWithPreviousRun('no-tests-patch')
    const validate = await runCli(['dataset', 'validate', '--dataset-dir', broken], w.options())
    expect(validate.code, describeResult(validate)).toBe(ExitCode.dataset)
    expect(validate.stdout + validate.stderr).toMatch(/error: .*task7\/feature2\/tests\.patch/)
    const validateJson = await runCli(['dataset', 'validate', '--dataset-dir', broken, '--json'], w.options())
    expect(validateJson.code, describeResult(validateJson)).toBe(ExitCode.dataset)
    const problems = JSON.parse(validateJson.stdout).problems as Array<{ severity: string; path: string }>
    expect(problems.filter((p) => p.severity === 'error').map((p) => p.path)).toEqual([missing])

    requireLocalBackend(ctx)
    const previous = await snapshotTree(join(w.logs, 'prev'))
    const run = await runCli(
      ['run', '--dataset-dir', broken, '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-a', 'oracle', '--setting', 'solo', '-n', 'broken'],
      w.options(),
    )
    expect(run.stderr, describeResult(run)).toContain(missing)
    expect(stackLines(run.stderr + run.stdout)).toEqual([])
    const pair = join(w.logs, 'broken', 'solo', 'textkit_task', '7', 'f1_f2')
    if (existsSync(join(pair, 'result.json'))) {
      // Reference behaviour: the pair runs, and its evaluation is an error naming the file; a run
      // that judged no pair exits 1, not 0.
      expect(run.code, describeResult(run)).toBe(ExitCode.failure)
      expect((await readJson(join(pair, 'eval.json'))).error).toContain(missing)
      expect(await readJson(join(w.logs, 'broken', 'summary.json'))).toMatchObject({ eval: { errors: 1, passed: 0 } })
    } else {
      // Or refused before any agent starts.
      expect(linesStartingWith(run.stderr, 'hint:')).toHaveLength(1)
      expect(existsSync(join(pair, 'result.json'))).toBe(false)
    }
    expect(await snapshotTree(join(w.logs, 'prev'))).toEqual(previous)

    if (existsSync(join(pair, 'result.json'))) {
      // An error verdict is retried by eval without --force; the retry must say what is wrong.
      const evaluated = await runCli(['eval', '--dataset-dir', broken, '-n', 'broken'], w.options())
      expect(evaluated.stderr, describeResult(evaluated)).toContain('tests.patch')
      expect(stackLines(evaluated.stderr + evaluated.stdout)).toEqual([])
    }
  }, 120_000)
})

/** A Redis URL whose database is not a number: the redis bus refuses it when the run opens the bus. */
const BAD_REDIS_URL = 'redis://127.0.0.1:6379/abc'

describe.concurrent('user errors get user hints, never "This looks like a bug", and leave no run folder', () => {
  const run = (...args: string[]) => ['run', '--dataset-dir', dataset(), '-a', 'oracle', '-r', 'textkit_task', '-t', '7', '-f', '1,2', ...args]
  const noBugHint = (r: CliResult) => expect(r.stderr, describeResult(r)).not.toMatch(/looks like a bug/)

  it.each([
    ['-a given twice', ['-a', 'oracle', '-n', 'twice-a'], /^error: Flag --agent can only be specified once/m],
    ['-n given twice', ['-n', 'a', '-n', 'b'], /^error: Flag --name can only be specified once/m],
    [
      '-c beyond a safe integer',
      ['-c', '9007199254740993', '-n', 'huge-c'],
      /^error: Parsing --concurrency: Expected an integer less than or equal to 9007199254740991/m,
    ],
  ])('%s: exit 2 with a hint', async (_, args, message) => {
    const r = await runRefused(run(...args))
    expectUserError(r, { code: ExitCode.usage, mentions: [message, /^hint: See `cooperbench run --help`/m] })
    noBugHint(r)
  })

  it.each([['../evil'], ['a/b'], ['.'], ['']])('-n %j, not a folder name: exit 2 naming -n/--name, not the options of run()', async (name) => {
    const r = await runRefused(run('-n', name))
    const given = `-n/--name ${JSON.stringify(name)}`
    expectUserError(r, {
      code: ExitCode.usage,
      mentions: [/^error: invalid configuration in command-line flags$/m, `  - ${given}: must be a folder name`, /^hint: Fix those flags/m],
    })
    expect(r.stderr).not.toMatch(/options given to run\(\)|camelCased/)
    noBugHint(r)
  })

  it('eval -n ../evil: the same, for eval', async () => {
    const r = await runRefused(['eval', '--dataset-dir', dataset(), '-n', '../evil'])
    expectUserError(r, { code: ExitCode.usage, mentions: ['  - -n/--name "../evil": must be a folder name', /^hint: Fix those flags/m] })
    expect(r.stderr).not.toMatch(/options given to evaluate\(\)/)
  })

  it('COOPERBENCH_CONCURRENCY=1e21: exit 2 naming the variable', async () => {
    const w = await workdirWithPreviousRun('env-concurrency')
    const before = await snapshotTree(w.logs)
    const r = await runCli(run('-n', 'env-c'), w.options({ env: { COOPERBENCH_CONCURRENCY: '1e21' } }))
    expectUserError(r, { code: ExitCode.usage, mentions: [/COOPERBENCH_CONCURRENCY: must be an integer, got "1e21"/] })
    noBugHint(r)
    expect(await snapshotTree(w.logs)).toEqual(before)
  })

  it.each([
    ['the --redis flag', { args: ['--redis', BAD_REDIS_URL] }, /^hint: buses\.redis\.url is the Redis URL, set by --redis: fix it there\.$/m],
    [
      'COOPERBENCH_REDIS_URL',
      { env: { COOPERBENCH_REDIS_URL: BAD_REDIS_URL } },
      /^hint: buses\.redis\.url is the Redis URL, set by COOPERBENCH_REDIS_URL \(the environment or \.env\): fix it there\.$/m,
    ],
    [
      'redisUrl in the config file',
      { file: { redisUrl: BAD_REDIS_URL } },
      /^hint: buses\.redis\.url is the Redis URL, set by redisUrl in .*\/cooperbench\.config\.json: fix it there\.$/m,
    ],
  ])(
    'a bad Redis URL (a database that is not a number) from %s: a clean error, no run folder or run.lock; the hint names where it was set, not buses.redis of the config file',
    async (_, source, hint) => {
      const setup = source.file ? (w: Workdir) => writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(source.file)) : undefined
      const r = await runRefused(run('-n', 'bad-redis', ...(source.args ?? [])), setup, source.env)
      expectUserError(r, {
        code: ExitCode.usage,
        mentions: [/^ {2}- buses\.redis\.url: must be a redis:\/\/ or rediss:\/\/ URL naming a host, with a database number/m, hint],
      })
    },
  )
})
