import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  type CliProcess,
  DEMO_DATASET,
  describeResult,
  makeWorkdir,
  pairDirs,
  readJson,
  REPO_ROOT,
  requireLocalBackend,
  runCli,
  startCli,
  tempDir,
  type Workdir,
} from './helpers.js'
import { pnpmCommand } from './pnpm-command.js'

/**
 * A collaboration setting from a plugin, installed as a user installs one: examples/setting-plan-execute
 * (upstream PR #70: planners hand in plan.txt, fresh executors implement each plan), packed with pnpm
 * and installed with `cooperbench plugins install <tarball>` into a plugin folder of this file's own,
 * with no registry for the @cooperbench scope (its peers are the CLI's copies). The scripted model of
 * `cooperbench dev model-server` plays its planners and executors: the executors apply the gold
 * patches coop's agents apply, so its verdicts are coop's committed ones on the same pairs
 * (dataset/expected/demo-verdicts.json).
 */
const EXAMPLE = join(REPO_ROOT, 'examples', 'setting-plan-execute')
/** npm settings under which any request for an `@cooperbench/*` package fails: nothing answers on port 9. */
const NO_SCOPE_REGISTRY = { 'npm_config_@cooperbench:registry': 'http://127.0.0.1:9/' }
const OFFLINE_MODEL = { OPENAI_API_KEY: '' }

let w: Workdir
let env: Record<string, string>
let server: CliProcess
/** `-m … --model-base-url …` of the dev model server, and the demo dataset. */
let model: string[]

beforeAll(async () => {
  w = await makeWorkdir('setting-plugin', 'file')
  const packed = await tempDir('setting-plugin-tarball', 'file')
  const [pnpm, ...prefix] = pnpmCommand()
  execFileSync(pnpm, [...prefix, 'pack', '--pack-destination', packed], { cwd: EXAMPLE, stdio: 'ignore' })
  const tarball = join(packed, readdirSync(packed).find((file) => file.endsWith('.tgz'))!)
  env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'plugins'), ...NO_SCOPE_REGISTRY }
  const install = await runCli(['plugins', 'install', tarball], w.options({ env }))
  if (install.code !== 0) throw new Error(`plugins install failed:\n${describeResult(install)}`)
  server = startCli(['dev', 'model-server', '--dataset-dir', DEMO_DATASET], { ...w.options(), timeoutMs: 1_200_000 })
  if (!(await server.waitForStdout(/try: .*--model-base-url (\S+)/, 60_000))) throw new Error(`dev model-server did not start:\n${server.stderr()}`)
  model = ['-m', 'openai/scripted-model', '--model-base-url', /--model-base-url (\S+)/.exec(server.stdout())![1]!, '--dataset-dir', DEMO_DATASET]
}, 300_000)

afterAll(async () => {
  server?.child.kill('SIGINT')
  await server?.result
})

const run = (args: string[], timeoutMs = 240_000) => runCli(['run', ...model, ...args], w.options({ env: { ...env, ...OFFLINE_MODEL }, timeoutMs }))

describe('a setting plugin (examples/setting-plan-execute), packed and installed', () => {
  it('is listed with its plugin, contract and option', async () => {
    const listed = await runCli(['settings', '--json'], w.options({ env }))
    expect(listed.code, describeResult(listed)).toBe(0)
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({
        name: 'plan-execute',
        plugin: 'cooperbench-setting-plan-execute',
        specificationVersion: 'setting-v1',
        aliases: ['plan_execute'],
        options: [expect.objectContaining({ key: 'withFeature', flag: 'plan-execute-with-feature', default: false })],
      }),
    )
  })

  // With its option on (--plan-execute-with-feature): the flag reaches the plugin's setting through the
  // CLI. Without it, executors see only their plan: the example's own plan-execute-setting.test.ts.
  it("runs a conflicting and a cleanly merging demo pair to coop's committed verdicts, with its option from its flag; report shows the setting's row", async (ctx) => {
    requireLocalBackend(ctx)
    // textkit's demo pairs of features 1 and 2: task 7's gold patches conflict, task 12's merge cleanly.
    const planned = await run(['-s', 'demo', '-r', 'textkit_task', '-f', '1,2', '--setting', 'plan-execute', '--plan-execute-with-feature'], 600_000)
    expect(planned.code, describeResult(planned)).toBe(0)
    const runName = readdirSync(w.logs).find((name) => name.startsWith('plan-execute-'))!
    expect(runName, 'the run name says the option').toMatch(/with-feature/)
    expect(await readJson(join(w.logs, runName, 'config.json')), 'config.json records the option').toMatchObject({
      setting: 'plan-execute',
      executors_see_feature: true,
    })

    const planDirs = await pairDirs(w.logs, runName, 'plan-execute')
    expect(planDirs.map((dir) => dir.split('/').slice(-3).join('/'))).toEqual(['textkit_task/12/f1_f2', 'textkit_task/7/f1_f2'])
    // The verdicts of coop's agents applying the same gold patches (mini-swe.test.ts runs them).
    expectPairsAsExpected(planDirs, 'coop')
    const verdicts = await Promise.all(planDirs.map(verdictOf))
    expect(verdicts.map((v) => v.merge)).toEqual(['clean', 'conflicts'])

    // One pair's records: both phases, each planner's plan, and the executors given their own plans.
    const pair = planDirs.find((dir) => dir.endsWith(join('textkit_task', '12', 'f1_f2')))!
    const result = await readJson(join(pair, 'result.json'))
    expect(result).toMatchObject({ setting: 'plan-execute', messages_sent: 2, phase1_messages_sent: 2 })
    expect(result.agents.agent1).toMatchObject({ feature_id: 1, status: 'Submitted', plan_lines: expect.any(Number) })
    expect(result.phases.map((p: { name: string; seats: Array<{ role: string; artifact?: string }> }) => [p.name, p.seats.map((s) => s.role)])).toEqual([
      ['plan', ['planner', 'planner']],
      ['execute', ['executor', 'executor']],
    ])
    expect(result.phases[0].seats[0]).toMatchObject({ artifact: 'phase1/agent1.plan', trajectory: 'phase1/agent1_traj.json' })
    const [plan1, plan2] = await Promise.all([1, 2].map((id) => readFile(join(pair, 'phase1', `agent${id}.plan`), 'utf8')))
    expect(plan1).toMatch(/^Plan: change /)
    const planner1Task = await taskOf(join(pair, 'phase1', 'agent1_traj.json'))
    expect(planner1Task).toContain('## Planning phase')
    const executor1Task = await taskOf(join(pair, 'agent1_traj.json'))
    const feature1 = await readFile(join(DEMO_DATASET, 'textkit_task', 'task12', 'feature1', 'feature.md'), 'utf8')
    expect(executor1Task, "the executor's task is its own plan, then its feature's text").toContain(`${plan1}\n\n---\n\n${feature1.trimEnd()}`)
    expect(executor1Task).not.toContain('## Planning phase')
    expect(executor1Task, "an executor is not given its teammate's plan").not.toContain(plan2)
    expect(await readJson(join(pair, 'phase1', 'conversation.json'))).toHaveLength(2)

    const report = await runCli(['report', '-n', runName, '--json'], w.options({ env }))
    expect(report.code, describeResult(report)).toBe(0)
    const rows = (JSON.parse(report.stdout) as { settings: Array<Record<string, unknown>> }).settings
    expect(rows.map((r) => r.setting)).toEqual(['plan-execute'])
    const passed = verdicts.filter((v) => v.both_passed).length
    expect(rows[0]).toMatchObject({ runs: [runName], pairs: 2, evaluated: 2, errors: 0, passed, failed: 2 - passed })
    expect(rows[0]!['merge']).toMatchObject({ clean: 1, conflicts: 1 })
    const text = await runCli(['report', '-n', runName], w.options({ env }))
    expect(text.stdout).toMatch(new RegExp(`^plan-execute \\(${runName}\\)`, 'm'))
  }, 900_000)
})

/** A pair's verdict, as the evaluator wrote it. */
async function verdictOf(dir: string): Promise<{ both_passed: boolean; merge: string | null; error: string | null }> {
  const record = await readJson(join(dir, 'eval.json'))
  return { both_passed: record.both_passed, merge: record.merge?.status ?? null, error: record.error }
}

/** The task an agent was given: its trajectory's first user message. */
async function taskOf(trajectory: string): Promise<string> {
  const { messages } = await readJson<{ messages: Array<{ role: string; content: unknown }> }>(trajectory)
  return String(messages.find((m) => m.role === 'user')?.content)
}
