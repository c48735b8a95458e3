import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { ViewerSource } from '@cooperbench/viewer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import {
  buildDemoImages,
  copyDemoDataset,
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
  listFiles,
  makeWorkdir,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
  tempDir,
} from './helpers.js'

/**
 * `--setting sequential` end to end: the oracle and the scripted model (`dev model-server`'s) on
 * the demo subset on the local backend, the scripted model on Docker; a probe agent that breaks
 * the check it was handed, to see the guard record it. The final patch holds every feature, so
 * every pair gets the verdict the oracle's solo run gets (dataset/expected/demo-verdicts.json).
 */
const dataset = ['--dataset-dir', DEMO_DATASET]
let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
const scripted = () => ['-m', 'openai/scripted-model', '--model-base-url', server.url]

beforeAll(async () => {
  server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
})
afterAll(() => server?.close())

/** What every sequential pair folder holds: each agent's files, the judged patch, the records, and a hand-off from agent1 to agent2. */
async function expectHandedOver(dir: string): Promise<{ result: any; agent2Patch: string; judged: string }> {
  const result = await readJson(join(dir, 'result.json'))
  const [a, b] = result.features as [number, number]
  expect((await listFiles(dir)).sort()).toEqual(
    [`agent${a}.patch`, `agent${a}_traj.json`, `agent${b}.patch`, `agent${b}_traj.json`, 'eval.json', 'result.json', 'sequential.patch'].sort(),
  )
  expect(result).toMatchObject({
    setting: 'sequential',
    agents: { agent1: { feature_id: a, status: 'Submitted' }, agent2: { feature_id: b, status: 'Submitted' } },
    final: { agent: 'agent2', patch: 'sequential.patch' },
    messaging_enabled: false,
    git_enabled: false,
    sequential: { guard: true, order: 'ascending', hidden_tests: false },
  })
  expect(result.phases.map((p: any) => [p.name, p.seats.map((s: any) => [s.agent_id, s.feature_ids, s.patch, s.started_from ?? null])])).toEqual([
    [`feature ${a}`, [['agent1', [a], `agent${a}.patch`, null]]],
    [`feature ${b}`, [['agent2', [b], `agent${b}.patch`, 'agent1']]],
  ])
  expect(Date.parse(result.phases[1].started_at)).toBeGreaterThanOrEqual(Date.parse(result.phases[0].ended_at))
  expect(result.handoffs).toHaveLength(1)
  expect(result.handoffs[0]).toMatchObject({ from: 'agent1', to: 'agent2' })
  const judged = await readFile(join(dir, 'sequential.patch'), 'utf8')
  expect(result.final.patch_lines).toBe(judged === '' ? 0 : judged.split('\n').length - 1)
  expect(judged).not.toContain('.cb_checks')
  const verdict = await readJson(join(dir, 'eval.json'))
  expect(verdict).toMatchObject({ setting: 'sequential', error: null })
  return { result, agent2Patch: await readFile(join(dir, `agent${b}.patch`), 'utf8'), judged }
}

/**
 * Features 1 and 2 of both textkit tasks: task 7's overlap (the later agent's gold patch does not
 * apply on the earlier work), task 12's do not. What is handed over is per pair, the same on every
 * task; every task's pairs run through the harness in readme.test.ts's quickstart.
 */
const TWO_PAIRS = ['-s', 'demo', '-r', 'textkit_task', '-f', '1,2']
/** The one of them whose gold patches overlap. */
const OVERLAPPING_PAIR = ['-s', 'demo', '-r', 'textkit_task', '-t', '7', '-f', '1,2']

describe('cooperbench run --setting sequential (local backend)', () => {
  // The overlapping pair alone, where the oracle's later gold patch does not apply on the earlier
  // work; the hand-off on a clean pair is the scripted model's run below, which has both kinds.
  it("the oracle on an overlapping pair: handed over and judged on the last patch, with the solo oracle's verdict", async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('sequential-oracle')
    const r = await runCli(['run', ...dataset, ...OVERLAPPING_PAIR, '-a', 'oracle', '--setting', 'sequential'], w.options({ timeoutMs: 900_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(/evaluated\s+1: passed 1, failed 0, errors 0/)
    const run = 'sequential-or-demo-textkit-7'
    const pairs = await pairDirs(w.logs, run, 'sequential')
    expect(pairs).toHaveLength(1)
    for (const dir of pairs) {
      const { result, agent2Patch, judged } = await expectHandedOver(dir)
      // The oracle leaves no check: nothing handed over, nothing stripped.
      expect(result.handoffs[0]).toMatchObject({ handed: [], kept: [], broke: [] })
      expect(judged).toBe(agent2Patch)
    }
    expectPairsAsExpected(pairs, 'solo')
    const config = await readJson(join(w.logs, run, 'config.json'))
    expect(config.fingerprint).toMatchObject({ setting: 'sequential', sequential: { guard: true, order: 'ascending', hidden_tests: false } })
  }, 1_200_000)

  it('the scripted model with mini-SWE: each agent keeps the checks it was handed and leaves its own; the viewer shows one agent after the other', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('sequential-scripted')
    // On the overlapping pair the later agent applies the task's combined patch on the base,
    // keeping the earlier check.
    const r = await runCli(['run', ...dataset, ...TWO_PAIRS, ...scripted(), '--setting', 'sequential', '-c', '2'], w.options({ timeoutMs: 900_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(/evaluated\s+2: passed 2, failed 0, errors 0/)
    const run = 'sequential-msa-scripted-model-demo-textkit'
    const pairs = await pairDirs(w.logs, run, 'sequential')
    expect(pairs).toHaveLength(2)
    for (const dir of pairs) {
      const { result, agent2Patch, judged } = await expectHandedOver(dir)
      const [a, b] = result.features
      expect(result.handoffs[0]).toMatchObject({ handed: [`f${a}`], kept: [`f${a}`], broke: [] })
      expect(result.final.checks).toEqual({ [`f${a}`]: 'passed', [`f${b}`]: 'passed' })
      // The checks travel with the work and are stripped from the judged patch only.
      expect(agent2Patch).toContain(`.cb_checks/f${a}.sh`)
      expect(agent2Patch).toContain(`.cb_checks/f${b}.sh`)
      expect(judged).not.toBe(agent2Patch)
      const trajectory = await readJson(join(dir, `agent${b}_traj.json`))
      const task = JSON.stringify(trajectory.messages.find((m: any) => m.role === 'user'))
      expect(task).toContain('agent1 handed its work over to you')
      expect(task).toContain(`bash .cb_checks/f${a}.sh`)
      expect(JSON.stringify(trajectory.messages)).toContain(`.cb_checks/f${a}.sh passed`)
    }
    expectPairsAsExpected(pairs, 'solo')

    const source = new ViewerSource({ logDir: w.logs, runs: [run] })
    const id = (await source.pairIds()).find((p) => p.endsWith('textkit_task/7/f1_f2')) ?? (await source.pairIds())[0]!
    const detail = await source.pair(id)
    expect(detail?.lanes.map((lane) => [lane.id, lane.featureIds, lane.trajectoryFile])).toEqual([
      ['agent1', [detail!.summary.features[0]], `agent${detail!.summary.features[0]}_traj.json`],
      ['agent2', [detail!.summary.features[1]], `agent${detail!.summary.features[1]}_traj.json`],
    ])
    const [first, second] = detail!.lanes
    expect(Math.max(...first!.steps.map((s) => s.end))).toBeLessThanOrEqual(Math.min(...second!.steps.map((s) => s.start)))
  }, 1_200_000)

  it("a later agent that breaks the check it was handed: the hand-off records it broken, the guard's run shows the earlier file changed", async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('sequential-probe')
    await writeFile(join(w.cwd, 'breaker.mjs'), BREAKER)
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./breaker.mjs'] }))
    const r = await runCli(
      ['run', ...dataset, '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-a', 'breaker', '--setting', 'sequential', '-n', 'probe', '--no-auto-eval'],
      w.options(),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'probe', 'sequential')
    const result = await readJson(join(dir!, 'result.json'))
    expect(result.handoffs).toEqual([{ from: 'agent1', to: 'agent2', handed: ['f1'], kept: [], broke: ['f1'], earlier_files_changed: ['marker.txt'] }])
    expect(result.final.checks).toEqual({ f1: 'failed', f2: 'passed' })
    const seen = JSON.parse((await readJson(join(dir!, 'agent2_traj.json'))).messages[0].content)
    // The earlier work is one commit on the base, its check in the tree, and the task says what to keep.
    expect(seen).toMatchObject({ head: "earlier seats' work", marker: 'keep', checks: 'f1.sh' })
    expect(seen.told).toBe(true)
    expect(await readFile(join(dir!, 'sequential.patch'), 'utf8')).toBe('')
    // Without the guard (--sequential-no-guard) nothing is asked to be kept: the flag is parsed in
    // unit/team-flags.test.ts, the setting without its guard in builtins' sequential-setting.test.ts.
  }, 600_000)
})

/**
 * An agent that leaves a marker file and a check of it (feature 1), or reports what it was handed
 * and deletes the marker, breaking that check, and leaves its own (feature 2).
 */
const BREAKER = `export default { name: 'breaker', version: '0.0.1', register(api) { api.agent({ name: 'breaker', specificationVersion: 'agent-v1', usesModel: false,
  create: () => ({ specificationVersion: 'agent-v1', name: 'breaker', async run(ctx) {
    const sh = async (c) => (await ctx.sandbox.exec(['sh', '-c', c], { signal: ctx.signal })).stdout.trim()
    const id = ctx.featureIds[0]
    const seen = { told: ctx.instructions.includes('## Checks to keep passing') }
    if (id === 1) await sh('mkdir -p .cb_checks && echo keep > marker.txt && echo "grep -q keep marker.txt" > .cb_checks/f1.sh')
    else {
      seen.head = await sh('git log -1 --format=%s')
      seen.marker = await sh('cat marker.txt')
      seen.checks = await sh('ls .cb_checks 2>/dev/null')
      await sh('rm marker.txt && mkdir -p .cb_checks && echo true > .cb_checks/f' + id + '.sh')
    }
    return { status: 'Submitted', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0,
             messages: [{ role: 'tool', content: JSON.stringify(seen) }], error: null }
  } }) }) } }
`

const engine = dockerEngineAnswers('the sequential setting on docker')
const skipReason = engine ? false : 'no Docker engine answers'

describe.skipIf(skipReason)(`cooperbench run --setting sequential --backend docker${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    await buildDemoImages()
  }, 900_000)

  // One pair, the scripted model's: the hand-off in containers (the checks handed over and run
  // there), not the tasks or the agent (the local runs above have both kinds of pair, and the oracle
  // and the scripted model), is what Docker adds. What the oracle does is the same on either backend.
  it('the scripted model on an overlapping pair: handed over with its checks kept, the solo verdict, no container left', async () => {
    const w = await makeWorkdir('sequential-docker')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }))
    const common = [...OVERLAPPING_PAIR, '--setting', 'sequential', '--backend', 'docker', ...dataset]
    const model = await runCli(['run', ...scripted(), '-n', 'dseqm', ...common], w.options({ timeoutMs: 900_000 }))
    expect(model.code, describeResult(model)).toBe(0)
    const pairs = await pairDirs(w.logs, 'dseqm', 'sequential')
    expect(pairs).toHaveLength(1)
    for (const dir of pairs) {
      const { result } = await expectHandedOver(dir)
      expect(result.handoffs[0], 'the check agent1 left was handed over and kept in the containers').toMatchObject({ handed: ['f1'], kept: ['f1'], broke: [] })
    }
    expectPairsAsExpected(pairs, 'solo')
    expect(spawnSync('docker', ['ps', '-aq', '--filter', 'label=cooperbench.run=dseqm'], { encoding: 'utf8' }).stdout.trim(), 'containers left').toBe('')
  }, 1_800_000)

  it("a task that names no base commit: the next agent's patch is still taken against the base, so it holds the earlier work", async () => {
    // Only a Docker image can hold such a task (the local backend refuses it): the clone's HEAD is then the base.
    const copy = await copyDemoDataset(await tempDir('sequential-no-base'), ['textkit_task'])
    const task = join(copy, 'textkit_task', 'task7')
    const dockerfile = await readFile(join(task, 'Dockerfile'), 'utf8')
    await writeFile(join(task, 'Dockerfile'), dockerfile.replace(/ && git checkout [0-9a-f]{40}/, ''))
    await writeFile(join(task, 'setup.sh'), (await readFile(join(task, 'setup.sh'), 'utf8')).replace(/^BASE_COMMIT=.*$/m, 'BASE_COMMIT=""'))
    const w = await makeWorkdir('sequential-no-base')
    await writeFile(join(w.cwd, 'breaker.mjs'), BREAKER)
    const docker = { network: 'none', buildNetwork: 'none', pull: 'never' }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./breaker.mjs'], backends: { docker } }))
    const namespace = `cbseq${process.pid}`
    try {
      const where = ['--dataset-dir', copy, '-r', 'textkit_task', '-t', '7', '--image-namespace', namespace]
      const built = await runCli(['images', 'build', ...where], w.options({ timeoutMs: 600_000 }))
      expect(built.code, describeResult(built)).toBe(0)
      const r = await runCli(
        ['run', ...where, '-f', '1,2', '-a', 'breaker', '--setting', 'sequential', '--backend', 'docker', '-n', 'nobase', '--no-auto-eval'],
        w.options(),
      )
      expect(r.code, describeResult(r)).toBe(0)
      const [dir] = await pairDirs(w.logs, 'nobase', 'sequential')
      expect((await readJson(join(dir!, 'result.json'))).base_commit).toBeNull()
      // agent1 left marker.txt and its check; agent2 removed the marker: its patch, against the base, adds the check alone.
      const patch = await readFile(join(dir!, 'agent2.patch'), 'utf8')
      expect(patch).toContain('+++ b/.cb_checks/f1.sh')
      expect(patch).not.toContain('diff --git a/marker.txt')
    } finally {
      spawnSync('docker', ['rmi', '--no-prune', `${namespace}/cooperbench-textkit:task7`], { stdio: 'ignore' })
    }
  }, 900_000)
})
