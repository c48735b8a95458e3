import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  buildDemoImages,
  type CliProcess,
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
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
 * Settings written as third parties would, on the published contract alone, packed with pnpm
 * and installed with `cooperbench plugins install <tarball>` with no registry for the @cooperbench
 * scope (their peers, the team setting's included, are the CLI's own copies):
 * examples/setting-caid (a manager delegates workers at run time through a tool, workers push
 * branches, the manager, carried over from planning, merges them) and examples/setting-auto-claim
 * (upstream PR #73 composed on the team setting: the host claims and closes each agent's tasks).
 * CAID runs a conflicting demo pair and a clean one offline with the scripted model of `cooperbench
 * dev model-server` and with the oracle on the local backend, and the clean one on Docker;
 * auto-claim, whose host does the same for each agent whichever the pair, the clean one with each
 * agent on the local backend. Every pair gets a verdict.
 *
 * Beside them, from the same install, a setting of its own: examples/setting-plan-execute
 * (upstream PR #70: planners hand in plan.txt, fresh executors implement each plan). The scripted
 * model plays its planners and executors: the executors apply the gold patches coop's agents apply,
 * so its verdicts are coop's committed ones on the same pairs (dataset/expected/demo-verdicts.json).
 */
const EXAMPLES = ['setting-caid', 'setting-auto-claim', 'setting-plan-execute'].map((name) => join(REPO_ROOT, 'examples', name))
/** npm settings under which any request for an `@cooperbench/*` package fails: nothing answers on port 9. */
const NO_SCOPE_REGISTRY = { 'npm_config_@cooperbench:registry': 'http://127.0.0.1:9/' }
const OFFLINE_MODEL = { OPENAI_API_KEY: '' }
const docker = dockerEngineAnswers('the composed settings on docker')

let w: Workdir
let env: Record<string, string>
let server: CliProcess
let model: string[]

beforeAll(async () => {
  w = await makeWorkdir('composed-settings', 'file')
  const packed = await tempDir('composed-settings-tarballs', 'file')
  const [pnpm, ...prefix] = pnpmCommand()
  for (const example of EXAMPLES) execFileSync(pnpm, [...prefix, 'pack', '--pack-destination', packed], { cwd: example, stdio: 'ignore' })
  env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'plugins'), ...NO_SCOPE_REGISTRY }
  // All in one command, as a user installing a few plugins would.
  const tarballs = readdirSync(packed).filter((file) => file.endsWith('.tgz'))
  const install = await runCli(['plugins', 'install', ...tarballs.map((tarball) => join(packed, tarball))], w.options({ env }))
  if (install.code !== 0) throw new Error(`plugins install ${tarballs.join(' ')} failed:\n${describeResult(install)}`)
  server = startCli(['dev', 'model-server', '--dataset-dir', DEMO_DATASET], { ...w.options(), timeoutMs: 2_400_000 })
  if (!(await server.waitForStdout(/try: .*--model-base-url (\S+)/, 60_000))) throw new Error(`dev model-server did not start:\n${server.stderr()}`)
  model = ['--model-base-url', /--model-base-url (\S+)/.exec(server.stdout())![1]!, '--dataset-dir', DEMO_DATASET]
}, 300_000)

afterAll(async () => {
  server?.child.kill('SIGINT')
  await server?.result
})

/**
 * Features 1 and 2 of both textkit tasks: task 7's gold patches conflict, task 12's merge cleanly.
 * A setting composes seats per pair, the same on every task (every task's pairs run through the
 * harness in readme.test.ts's quickstart); what differs is whether the work merges.
 */
const TWO_PAIRS = ['-s', 'demo', '-r', 'textkit_task', '-f', '1,2']
/** The one of them whose gold patches merge cleanly. */
const CLEAN_PAIR = ['-r', 'textkit_task', '-t', '12', '-f', '1,2']

const run = (args: string[], timeoutMs = 900_000) =>
  runCli(['run', ...model, '-m', 'openai/scripted-model', ...args], w.options({ env: { ...env, ...OFFLINE_MODEL }, timeoutMs }))

/** A pair's eval.json. */
const verdictOf = (dir: string) => readJson(join(dir, 'eval.json'))

/** Every pair of a run judged: a verdict, never an evaluation error. */
async function expectVerdicts(run: string, setting: string, pairs: number) {
  const dirs = await pairDirs(w.logs, run, setting)
  expect(dirs).toHaveLength(pairs)
  for (const dir of dirs) expect(await verdictOf(dir), dir).toMatchObject({ error: null, both_passed: expect.any(Boolean) })
  return dirs
}

describe('third-party settings composed on the published contract, installed from tarballs', () => {
  it('are listed with their seat roles, contract, aliases and options, from their plugins', async () => {
    const listed = await runCli(['settings', '--json'], w.options({ env }))
    expect(listed.code, describeResult(listed)).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>
    expect(rows).toContainEqual(expect.objectContaining({ name: 'caid', plugin: 'cooperbench-setting-caid', roles: ['manager', 'worker'] }))
    expect(rows).toContainEqual(expect.objectContaining({ name: 'auto-claim', plugin: 'cooperbench-setting-auto-claim', roles: ['lead', 'member'] }))
    expect(rows).toContainEqual(
      expect.objectContaining({
        name: 'plan-execute',
        plugin: 'cooperbench-setting-plan-execute',
        specificationVersion: 'setting-v1',
        aliases: ['plan_execute'],
        options: [expect.objectContaining({ key: 'withFeature', flag: 'plan-execute-with-feature', default: false })],
      }),
    )
  })

  it('caid: the manager, on another model than its workers, delegates at run time and merges their branches; records, report and viewer say who ran what', async (ctx) => {
    requireLocalBackend(ctx)
    const caid = await run([...TWO_PAIRS, '--setting', 'caid', '--seat', 'worker.model=openai/scripted-worker', '-n', 'caid-demo'])
    expect(caid.code, describeResult(caid)).toBe(0)
    const dirs = await expectVerdicts('caid-demo', 'caid', 2)
    const pair = dirs.find((dir) => dir.endsWith(join('textkit_task', '12', 'f1_f2')))!
    const result = await readJson(join(pair, 'result.json'))
    // A phase lists its seats as they ended: the two workers run at once, in either order.
    expect(result.phases.map((p: { name: string; seats: Array<{ agent_id: string }> }) => [p.name, p.seats.map((s) => s.agent_id).sort()])).toEqual([
      ['plan', ['manager']],
      ['work', ['worker1', 'worker2']],
      ['integrate', ['manager']],
    ])
    expect(result.phases[1].seats[0]).toMatchObject({ role: 'worker', model: 'openai/scripted-worker' })
    expect(result.phases[2].seats[0]).toMatchObject({ role: 'manager', continued: true })
    expect(result.agents.worker1).toMatchObject({ feature_id: 1, model: 'openai/scripted-worker', status: 'Submitted' })
    expect(result).toMatchObject({ model: 'openai/scripted-model', git_enabled: true, delegations: 2 })
    expect(await readJson(join(pair, 'delegations.json'))).toEqual([
      expect.objectContaining({ worker: 'worker1', feature_id: 1, by: 'manager' }),
      expect.objectContaining({ worker: 'worker2', feature_id: 2, by: 'manager' }),
    ])
    expect(await readFile(join(pair, 'manager_plan.md'), 'utf8')).toMatch(/^Plan: one worker per feature/)
    expect(await verdictOf(pair)).toMatchObject({ both_passed: true })
    const config = await readJson(join(w.logs, 'caid-demo', 'config.json'))
    expect(config.fingerprint).toMatchObject({ git_enabled: true, seats: { worker: { model: 'openai/scripted-worker' } } })

    const report = await runCli(['report', '-n', 'caid-demo', '--json'], w.options({ env }))
    expect(report.code, describeResult(report)).toBe(0)
    const row = (JSON.parse(report.stdout) as { settings: Array<Record<string, unknown>> }).settings.find((r) => r.setting === 'caid')
    expect(row).toMatchObject({ model: 'openai/scripted-model (worker: openai/scripted-worker)', pairs: 2, errors: 0 })

    const exported = await runCli(['export', '-n', 'caid-demo', '--format', 'atif', '--out', join(w.cwd, 'caid-atif')], w.options({ env }))
    expect(exported.code, describeResult(exported)).toBe(0)
    const files = readdirSync(join(w.cwd, 'caid-atif'), { recursive: true }).filter((f) => String(f).endsWith('.json'))
    // Every seat of every phase: the manager's two phases and both workers, for each pair.
    expect(files).toHaveLength(2 * 4)
    expect(exported.stdout).toContain(`${files.length} files`)
  })

  it('auto-claim: the team, with the host claiming each agent task when it starts and closing it when it submits, as the log says', async (ctx) => {
    requireLocalBackend(ctx)
    // One pair: what the host does is per agent, whichever pair; the team's pairs that conflict and
    // those that merge are judged as coop's (team-setting.test.ts's oracle).
    const claimed = await run([...CLEAN_PAIR, '--setting', 'auto-claim', '-n', 'auto-claim-demo'])
    expect(claimed.code, describeResult(claimed)).toBe(0)
    const dirs = await expectVerdicts('auto-claim-demo', 'auto-claim', 1)
    const log = (await readJson(join(dirs[0]!, 'task_log.json'))) as Array<Record<string, unknown>>
    // The host claimed each agent's task as it started; the scripted agents then did the rest themselves.
    expect(
      log
        .filter((e) => e.via === 'host')
        .map((e) => [e.kind, e.by])
        .sort(),
    ).toEqual([
      ['claim', 'agent1'],
      ['claim', 'agent2'],
    ])
    const result = await readJson(join(dirs[0]!, 'result.json'))
    expect(result).toMatchObject({ setting: 'auto-claim', lead_agent: 'agent1' })
    // The host's claims are not the agents': the metrics count only what agents did.
    const agentClaims = log.filter((e) => e.kind === 'claim' && e.via === undefined).length
    expect(Object.values(result.metrics.claims_per_agent as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(agentClaims)
  })

  // Auto-claim on one pair, as with the scripted model above.
  it('the oracle runs both on the local backend, caid on a conflicting pair and a clean one, each with a verdict', async (ctx) => {
    requireLocalBackend(ctx)
    for (const [setting, pairs] of [
      ['caid', TWO_PAIRS],
      ['auto-claim', CLEAN_PAIR],
    ] as const) {
      const r = await run([...pairs, '-a', 'oracle', '--setting', setting, '-n', `${setting}-oracle`])
      expect(r.code, describeResult(r)).toBe(0)
      await expectVerdicts(`${setting}-oracle`, setting, pairs === TWO_PAIRS ? 2 : 1)
    }
    // The oracle never touches the list: the host claimed each agent's task as it started and closed it as it submitted.
    const [pair] = await pairDirs(w.logs, 'auto-claim-oracle', 'auto-claim')
    const log = (await readJson(join(pair!, 'task_log.json'))) as Array<Record<string, unknown>>
    expect(log.filter((e) => e.kind !== 'create').map((e) => [e.kind, e.by, e.via, e.status])).toEqual(
      expect.arrayContaining([
        ['claim', 'agent1', 'host', undefined],
        ['claim', 'agent2', 'host', undefined],
        ['update', 'agent1', 'host', 'done'],
        ['update', 'agent2', 'host', 'done'],
      ]),
    )
    expect((await readJson(join(pair!, 'result.json'))).metrics).toMatchObject({ tasks_done: 2, claims_per_agent: {}, updates_per_agent: {} })
  })

  // With its option on (--plan-execute-with-feature): the flag reaches the plugin's setting through the
  // CLI. Without it, executors see only their plan: the example's own plan-execute-setting.test.ts.
  it("plan-execute runs a conflicting and a cleanly merging demo pair to coop's committed verdicts, with its option from its flag; report shows the setting's row", async (ctx) => {
    requireLocalBackend(ctx)
    // textkit's demo pairs of features 1 and 2: task 7's gold patches conflict, task 12's merge cleanly.
    const planned = await run([...TWO_PAIRS, '--setting', 'plan-execute', '--plan-execute-with-feature'], 600_000)
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
    const verdicts = await Promise.all(planDirs.map(verdictSummaryOf))
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

  /**
   * CAID with the scripted model, whose manager calls `delegate` through the seat-tool relay inside
   * its container, starting each worker's container at run time. Auto-claim adds to the team only
   * what the host does: its agents' `coop-task-*` through the relay in containers are
   * team-setting.test.ts's Docker probe. The oracle calls none: what it does on Docker differs from
   * the local backend only in the sandbox, which docker.test.ts checks.
   */
  it.skipIf(!docker)('on Docker: caid with the scripted model, its pair with a verdict', async () => {
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }))
    await buildDemoImages()
    const r = await run([...CLEAN_PAIR, '--backend', 'docker', '--setting', 'caid', '-n', 'caid-docker'])
    expect(r.code, describeResult(r)).toBe(0)
    const [pair] = await expectVerdicts('caid-docker', 'caid', 1)
    expect((await readJson(join(pair!, 'result.json'))).delegations, 'the manager delegated both workers from its container').toBe(2)
  })
})

/** A pair's verdict, as the evaluator wrote it: passed, merge outcome, error. */
async function verdictSummaryOf(dir: string): Promise<{ both_passed: boolean; merge: string | null; error: string | null }> {
  const record = await verdictOf(dir)
  return { both_passed: record.both_passed, merge: record.merge?.status ?? null, error: record.error }
}

/** The task an agent was given: its trajectory's first user message. */
async function taskOf(trajectory: string): Promise<string> {
  const { messages } = await readJson<{ messages: Array<{ role: string; content: unknown }> }>(trajectory)
  return String(messages.find((m) => m.role === 'user')?.content)
}
