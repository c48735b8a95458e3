/**
 * `run()`, `evaluate()` and `report()` called in-process as a research script would, on the
 * demo dataset with the real local backend; and the same run through the CLI, whose eval.json
 * files must be the same apart from times.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type PluginApi, type PluginDefinition, type SandboxSpec, Tokens } from '@cooperbench/core'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { type CooperbenchEvent, evaluate, isCooperbenchError, report, run } from '../../dist/index.js'
import { DATASET_SOURCE_FILE } from '@cooperbench/dataset'
import { scanRun } from '@cooperbench/results'
import { expectPairsAsExpected } from '../e2e/expected-verdicts.js'
import { DEMO_DATASET, pairDirs, requireLocalBackend, runCli } from '../e2e/helpers.js'

let work: string
let savedDataDir: string | undefined

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cb-api-'))
  // Plugins a user installed stay out of the test, as they do for the CLI tests.
  savedDataDir = process.env.COOPERBENCH_DATA_DIR
  process.env.COOPERBENCH_DATA_DIR = join(work, 'data')
})

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.COOPERBENCH_DATA_DIR
  else process.env.COOPERBENCH_DATA_DIR = savedDataDir
  await rm(work, { recursive: true, force: true })
})

/** An eval.json without its times: when it was written, phase timings, and durations test runners print. */
const withoutTimes = (record: Record<string, unknown>) => {
  const { evaluated_at: _at, timings: _timings, ...rest } = record
  return JSON.parse(JSON.stringify(rest).replace(/\b\d+(\.\d+)?m?s\b|duration_ms [\d.]+/g, '<duration>'))
}

/** The pair's backend, wrapped: it records in `specs` what each sandbox is asked for. */
function recordingBackend(specs: SandboxSpec[]): Parameters<PluginApi['service']>[0] {
  return {
    token: Tokens.Backend,
    scope: 'pair',
    deps: { backend: Tokens.Backend },
    create: ({ deps }) =>
      new Proxy(deps.backend, {
        get: (backend, key) =>
          key === 'createSandbox'
            ? (spec: SandboxSpec, signal?: AbortSignal) => (specs.push(spec), backend.createSandbox(spec, signal))
            : Reflect.get(backend, key),
      }),
  }
}

describe('cooperbench as a library', () => {
  it('run() then evaluate() on the demo pairs of a confkit task (solo, oracle): 3 of 3 pass with the committed verdicts, with events, rates and a CI; the CLI writes the same eval.json', async (context) => {
    requireLocalBackend(context)
    const common = {
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      subset: 'demo',
      // One task's pairs: the whole subset runs through the CLI in readme.test.
      repo: 'confkit_task',
      taskId: 5,
      agent: 'oracle',
      setting: 'solo' as const,
      backend: 'local',
      concurrency: 4,
    }
    const events: CooperbenchEvent[] = []
    const ran = await run({ ...common, runName: 'lib-solo', autoEval: false, onEvent: (event) => events.push(event) })
    expect(ran.runName).toBe('lib-solo')
    expect(ran.interrupted).toBe(false)
    expect(ran.pairs).toHaveLength(3)
    expect(ran.pairs.every((p) => p.status === 'done' && p.eval === null)).toBe(true)
    expect(ran.passRate).toBeNull()
    expect(events.filter((e) => e.type === 'pairFinished')).toHaveLength(3)
    expect(events[0]).toMatchObject({ type: 'planned', runName: 'lib-solo', total: 3, toRun: 3 })

    const evaluated = await evaluate({ ...common, runName: 'lib-solo', concurrency: 4 })
    expect(evaluated.passRate).toMatchObject({ passed: 3, failed: 0, errors: 0, rate: 1 })
    // Wilson's 95% interval of 3 passes in 3: [3 / (3 + z²), 1].
    expect(evaluated.passRate.ci!.low).toBeCloseTo(3 / (3 + 1.96 ** 2), 3)
    expect(evaluated.passRate.ci!.high).toBe(1)
    expect(evaluated.summary.total_runs).toBe(3)

    const libraryDirs = await pairDirs(join(work, 'logs'), 'lib-solo', 'solo')
    expectPairsAsExpected(libraryDirs, 'solo')

    // One of the pairs through the CLI: the same eval.json, times aside.
    const cli = await runCli(
      [
        'run',
        '-n',
        'cli-solo',
        '-s',
        'demo',
        '-r',
        'confkit_task',
        '-t',
        '5',
        '-f',
        '1,2',
        '-a',
        'oracle',
        '--setting',
        'solo',
        '--backend',
        'local',
        '-c',
        '4',
        '--dataset-dir',
        DEMO_DATASET,
        '--log-dir',
        join(work, 'logs'),
      ],
      { cwd: work },
    )
    expect(cli.code, cli.stderr).toBe(0)
    const cliDirs = await pairDirs(join(work, 'logs'), 'cli-solo', 'solo')
    expect(cliDirs.map((d) => d.split('cli-solo')[1])).toEqual(['/solo/confkit_task/5/f1_f2'])
    for (const dir of cliDirs) {
      const mine = JSON.parse(await readFile(join(dir.replace('cli-solo', 'lib-solo'), 'eval.json'), 'utf8'))
      const theirs = JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8'))
      expect(withoutTimes(mine)).toEqual(withoutTimes(theirs))
    }

    const table = await report({ runNames: ['lib-solo'], logDir: join(work, 'logs') })
    expect(table.settings[0]).toMatchObject({ setting: 'solo', pairs: 3, passed: 3, rate: 1 })
  }, 240_000)

  it('loads a plugin given as a definition; a filter matching nothing is a typed error', async (context) => {
    requireLocalBackend(context)
    const idle = {
      name: 'idle-agent-plugin',
      version: '1.0.0',
      register(api: { agent(registration: Record<string, unknown>): void }) {
        api.agent({
          name: 'idle',
          specificationVersion: 'agent-v1',
          create: () => ({
            specificationVersion: 'agent-v1',
            name: 'idle',
            run: async () => ({ ...emptyAgentResult('Submitted'), cost: 0.25, steps: 1 }),
          }),
        })
      },
    }
    const ran = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      runName: 'lib-idle',
      repo: 'textkit_task',
      taskId: 7,
      features: [2, 1],
      agent: 'idle',
      backend: 'local',
      plugins: [idle as never],
    })
    expect(ran.pairs).toEqual([{ label: 'textkit_task/7/1,2', setting: 'coop', status: 'done', error: null, cost: 0.5, costUnknown: false, eval: 'fail' }])
    expect(ran.passRate).toMatchObject({ passed: 0, failed: 1, rate: 0 })
    expect(ran.cost).toBe(0.5)
    expect(ran.costUnknownPairs).toBe(0)

    const none = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      runName: 'lib-none',
      repo: 'textkit_task',
      taskId: 7,
      features: [1, 9],
      agent: 'oracle',
      backend: 'local',
      onEvent: () => {},
    }).catch((error: unknown) => error)
    expect(isCooperbenchError(none)).toBe(true)
    expect(String((none as Error).message)).toContain('features 1 and 9')
    await expect(readFile(join(work, 'logs', 'lib-none', 'config.json'))).rejects.toThrow()
  }, 120_000)

  it('run() into the default run name with another selection: the result and summary.json hold only the pairs it selected; a reused pair is one it selected', async (context) => {
    requireLocalBackend(context)
    const logDir = join(work, 'logs-selections')
    const common = { cwd: work, datasetDir: DEMO_DATASET, logDir, repo: 'textkit_task', taskId: 7, agent: 'oracle', setting: 'solo' as const, backend: 'local' }
    const first = await run({ ...common, features: [1, 2], onEvent: () => {} })
    const second = await run({ ...common, features: [3, 4], onEvent: () => {} })
    // The default name does not depend on the filters (as the reference's): both invocations share the folder.
    expect(second.folder).toBe(first.folder)
    expect(second.pairs.map((p) => [p.label, p.status])).toEqual([['textkit_task/7/3,4', 'done']])
    expect(second.summary).toMatchObject({ total_tasks: 1, completed: 1, skipped: 0, failed: 0, pass_rate: 1 })
    expect(second.passRate).toMatchObject({ passed: 1, failed: 0, errors: 0 })
    expect(second.costUnknownPairs).toBe(0)
    const written = async (file: string) => JSON.parse(await readFile(join(second.folder, file), 'utf8'))
    expect(await written('summary.json')).toEqual(second.summary)
    // eval_summary.json still describes the whole folder.
    expect(await written('eval_summary.json')).toMatchObject({ total_runs: 2, passed: 2 })

    const again = await run({ ...common, features: [1, 2], onEvent: () => {} })
    expect(again.pairs.map((p) => [p.label, p.status])).toEqual([['textkit_task/7/1,2', 'skip']])
    expect(again.summary).toMatchObject({ total_tasks: 1, completed: 0, skipped: 1, failed: 0 })
    expect(await written('summary.json')).toEqual(again.summary)
  }, 120_000)

  it('run() with a model of no known price: the result says its cost is unknown, not $0, per pair and over the run', async (context) => {
    requireLocalBackend(context)
    // An agent whose model had no price says so in its result (`costUnknown`), as the plugin guide asks.
    const unpriced = {
      name: 'unpriced-agent-plugin',
      version: '1.0.0',
      register(api: { agent(registration: Record<string, unknown>): void }) {
        api.agent({
          name: 'unpriced',
          specificationVersion: 'agent-v1',
          create: () => ({
            specificationVersion: 'agent-v1',
            name: 'unpriced',
            run: async () => ({
              ...emptyAgentResult('Submitted'),
              steps: 1,
              costUnknown: true,
              messages: [{ role: 'assistant', content: 'nothing to change' }],
            }),
          }),
        })
      },
    }
    const ran = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs-unpriced'),
      repo: 'textkit_task',
      taskId: 7,
      features: [1, 2],
      agent: 'unpriced',
      setting: 'solo',
      backend: 'local',
      autoEval: false,
      plugins: [unpriced as never],
      onEvent: () => {},
    })
    expect(ran.pairs).toMatchObject([{ label: 'textkit_task/7/1,2', status: 'done', cost: 0, costUnknown: true }])
    expect(ran.cost).toBe(0)
    expect(ran.costUnknownPairs).toBe(1)
    const [pair] = await scanRun(ran.folder)
    expect(pair?.result?.agent).toMatchObject({ cost: 0, cost_unknown: true })
  }, 120_000)

  it('records in config.json the dataset commit `dataset download` resolved, and null for a dataset it did not fetch', async (context) => {
    requireLocalBackend(context)
    const dataset = join(work, 'downloaded-dataset')
    await cp(DEMO_DATASET, dataset, { recursive: true })
    const source = {
      hub: 'https://huggingface.co',
      repo: 'cooperbench/cooperbench',
      revision: 'main',
      commit: 'a'.repeat(40),
      subset: null,
      downloaded_at: '2025-01-01T00:00:00.000Z',
    }
    await writeFile(join(dataset, DATASET_SOURCE_FILE), JSON.stringify(source))
    const pair = { repo: 'textkit_task', taskId: 7, features: [1, 2], agent: 'oracle', backend: 'local', autoEval: false, onEvent: () => {} }
    await run({ cwd: work, datasetDir: dataset, logDir: join(work, 'logs'), runName: 'lib-source', ...pair })
    const config = JSON.parse(await readFile(join(work, 'logs', 'lib-source', 'config.json'), 'utf8'))
    expect(config.config.dataset_source).toEqual(source)
    await run({ cwd: work, datasetDir: DEMO_DATASET, logDir: join(work, 'logs'), runName: 'lib-no-source', ...pair })
    expect(JSON.parse(await readFile(join(work, 'logs', 'lib-no-source', 'config.json'), 'utf8')).config.dataset_source).toBeNull()
  }, 120_000)

  it('throws typed errors with a code and a hint', async () => {
    const unknownAgent = await run({ cwd: work, datasetDir: DEMO_DATASET, logDir: join(work, 'logs'), agent: 'nope', onEvent: () => {} }).catch(
      (error: unknown) => error,
    )
    expect(isCooperbenchError(unknownAgent)).toBe(true)
    expect(unknownAgent).toMatchObject({ code: 'PLUGIN_NOT_FOUND' })
    expect((unknownAgent as { hint?: string }).hint).toBeTruthy()

    const noName = await evaluate({} as never).catch((error: unknown) => error)
    expect(noName).toMatchObject({ code: 'USAGE' })
    // A run name is a folder under the log folder, for evaluate() as for run(): never a path out of it.
    const outside = await evaluate({ cwd: work, datasetDir: DEMO_DATASET, runName: '../outside' }).catch((error: unknown) => error)
    expect(outside).toMatchObject({ code: 'CONFIG_INVALID' })
    // A script prints the message: it names the option and the fix, not "command-line flags".
    const oldKey = await run({ cwd: work, datasetDir: DEMO_DATASET, model: 'openai/gpt-4o' } as never).catch((error: unknown) => error)
    expect((oldKey as Error).message).toBe('invalid configuration in the options given to run(): model: unknown key "model" (renamed to "modelName")')

    const badConfig = await run({ cwd: work, datasetDir: DEMO_DATASET, config: { concurrency: 0 }, onEvent: () => {} }).catch((error: unknown) => error)
    expect(badConfig).toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it("a bad Redis URL among run()'s options: the hint names that option, not the config file's buses.redis", async () => {
    const pair = { repo: 'textkit_task', taskId: 7, features: [1, 2], agent: 'oracle', onEvent: () => {} }
    const badUrl = await run({ cwd: work, datasetDir: DEMO_DATASET, logDir: join(work, 'logs'), redisUrl: 'redis://127.0.0.1:6379/abc', ...pair }).catch(
      (error: unknown) => error,
    )
    expect(badUrl).toMatchObject({
      code: 'CONFIG_INVALID',
      hint: 'buses.redis.url is the Redis URL, set by redisUrl in the options given to run(): fix it there.',
    })
  })

  it("a plugin's services: a results sink hears every file, one agent of each pair is replaced in its agent scope, the pair's backend sees every sandbox's team", async (context) => {
    requireLocalBackend(context)
    const heard: string[] = []
    const specs: SandboxSpec[] = []
    const plugin: PluginDefinition = {
      name: 'services-demo',
      version: '1.0.0',
      register(api) {
        api.service(recordingBackend(specs))
        api.service({
          token: Tokens.ResultsSink,
          scope: 'run',
          create: () => ({
            specificationVersion: 'results-sink-v1',
            name: 'recorder',
            resultWritten: ({ record }) => void heard.push(`result ${record.features.join(',')}`),
            evalWritten: ({ record }) => void heard.push(`eval ${record.features.join(',')} ${record.apply_status?.agent2}`),
            summaryWritten: ({ summary }) => void heard.push(`summary ${summary === null ? 'eval' : 'run'}`),
          }),
        })
        // agent2 of every team does nothing; agent1 stays the configured oracle.
        api.service({
          token: Tokens.Agent,
          scope: 'agent',
          create: (ctx) =>
            ctx.resolve(Tokens.AgentInScope).agentId === 'agent2'
              ? { specificationVersion: 'agent-v1', name: 'idle', run: async () => emptyAgentResult('Submitted') }
              : ctx.resolve(Tokens.Agent),
        })
      },
    }
    const ran = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      repo: 'textkit_task',
      taskId: 7,
      features: [1, 2],
      agent: 'oracle',
      backend: 'local',
      runName: 'lib-services',
      plugins: [plugin],
      onEvent: () => {},
    })
    expect(ran.pairs).toHaveLength(1)
    expect(heard).toEqual(['result 1,2', 'eval 1,2 skipped', 'summary run'])
    const [dir] = await pairDirs(join(work, 'logs'), 'lib-services', 'coop')
    const result = JSON.parse(await readFile(join(dir!, 'result.json'), 'utf8'))
    expect(result.agents.agent1.patch_lines).toBeGreaterThan(0)
    expect(result.agents.agent2.patch_lines).toBe(0)
    // Each agent's sandbox names its team (this attempt of the pair, its members); the evaluation's names none.
    const team = { runId: result.run_id, members: ['agent1', 'agent2'] }
    expect(specs.map((spec) => [spec.role, spec.group]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['agent1', team],
      ['agent2', team],
      ['eval', undefined],
    ])
  })

  it("an agent's set-up layer reaches the backend with each of its sandboxes, never with the evaluation's", async (context) => {
    requireLocalBackend(context)
    const specs: SandboxSpec[] = []
    const setupLayer = { owner: 'agent set_up', tagSuffix: '-set-up', dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN true\n' }
    const plugin: PluginDefinition = {
      name: 'set-up-demo',
      version: '1.0.0',
      register(api) {
        // An agent with something to set up in each sandbox, which submits nothing.
        api.agent({
          name: 'set_up',
          specificationVersion: 'agent-v1',
          setupLayer: async () => setupLayer,
          create: () => ({ specificationVersion: 'agent-v1', name: 'set_up', run: async () => emptyAgentResult('Submitted') }),
        })
        api.service(recordingBackend(specs))
      },
    }
    const ran = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      repo: 'textkit_task',
      taskId: 7,
      features: [1, 2],
      agent: 'set_up',
      modelName: 'openai/gpt-4o',
      backend: 'local',
      runName: 'lib-set-up',
      plugins: [plugin],
      onEvent: () => {},
    })
    expect(ran.pairs).toHaveLength(1)
    // The local backend starts from this machine's files: it has no image to layer, and the run goes on as it is.
    expect(specs.map((spec) => [spec.role, spec.setupLayer]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual([
      ['agent1', setupLayer],
      ['agent2', setupLayer],
      ['eval', undefined],
    ])
  })
})
