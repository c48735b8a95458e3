import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ISO_TIMESTAMP,
  describeResult,
  expectNothingLeft,
  featuresOfPairDir,
  listFiles,
  makeWorkdir,
  mtimeOf,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
  useDemoDatasetCopy,
  writeTextkitSubset,
} from './helpers.js'

const dataset = useDemoDatasetCopy()
const SECRET = 'sk-secret-value'

/** Two pairs a run: the records are each pair's, the run files those of a run of several pairs. */
beforeAll(async () => {
  await writeTextkitSubset(dataset(), 'solo-two', 7, ['1,2', '3,4'])
  // Task 12's gold patches of features 1 and 2 merge cleanly, those of 1 and 4 conflict.
  await writeTextkitSubset(dataset(), 'coop-two', 12, ['1,2', '1,4'])
})

/** The token counters and costs every agent record carries (docs/reference-compatibility.md#run-folder). */
function expectAgentNumbers(agent: Record<string, unknown>): void {
  for (const key of ['cost', 'steps', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'patch_lines']) {
    expect(typeof agent[key], key).toBe('number')
  }
  for (const key of ['steps', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'patch_lines']) {
    expect(Number.isInteger(agent[key]), key).toBe(true)
  }
}

/** The keys both settings' result.json share (docs/reference-compatibility.md#run-folder), with their types. */
function expectCommonResultKeys(result: Record<string, any>, expected: { run: string; setting: 'solo' | 'coop'; features: number[] }): void {
  expect(result).toMatchObject({
    repo: 'textkit_task',
    task_id: 7,
    features: expected.features,
    setting: expected.setting,
    run_name: expected.run,
    agent_framework: 'oracle',
  })
  expect(result.run_id).toMatch(/^[0-9a-f]{8}$/)
  // The oracle calls no model: its records carry none, not the default model.
  expect(result.model).toBeNull()
  expect(result.started_at).toMatch(ISO_TIMESTAMP)
  expect(result.ended_at).toMatch(ISO_TIMESTAMP)
  expect(typeof result.duration_seconds).toBe('number')
  expect(Date.parse(result.ended_at)).toBeGreaterThanOrEqual(Date.parse(result.started_at))
  expect(typeof result.total_cost).toBe('number')
  expect(Number.isInteger(result.total_steps)).toBe(true)
  expect(typeof result.log_dir).toBe('string')
}

/** Per-feature verdicts of a successful evaluation (solo fixed here to carry the coop keys). */
function expectFeatureVerdict(feature: Record<string, any>, featureId: number): void {
  expect(feature.feature_id).toBe(featureId)
  expect(typeof feature.passed).toBe('boolean')
  expect(Number.isInteger(feature.exit_code)).toBe(true)
  expect(Number.isInteger(feature.tests_passed)).toBe(true)
  expect(Number.isInteger(feature.tests_failed)).toBe(true)
  expect(typeof feature.test_output).toBe('string')
}

describe('cooperbench run with the oracle agent', () => {
  it('solo: every pair folder holds result.json, solo.patch, solo_traj.json and a passing eval.json; run files cover the run; no secret is written; --json prints exactly one JSON document on stdout and keeps progress on stderr', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('solo')
    const args = ['run', '--dataset-dir', dataset(), '-s', 'solo-two', '-a', 'oracle', '-c', '4', '--setting', 'solo', '-n', 'solo-run', '--json']
    const r = await runCli(args, w.options({ env: { OPENAI_API_KEY: SECRET } }))
    expect(r.code, describeResult(r)).toBe(0)

    // --json: the summary alone on stdout, the progress lines on stderr.
    const document = JSON.parse(r.stdout)
    expect(document).toMatchObject({ run_name: 'solo-run', total_tasks: 2, completed: 2, interrupted: false })
    expect(document.results).toEqual([
      expect.objectContaining({ task: 'textkit_task/7/1,2', status: 'done', eval: 'pass' }),
      expect.objectContaining({ task: 'textkit_task/7/3,4', status: 'done', eval: 'pass' }),
    ])
    expect(r.stdout.trim().startsWith('{') && r.stdout.trim().endsWith('}')).toBe(true)
    expect(r.stdout).not.toMatch(/^\[Task /m)
    expect(r.stderr, 'progress lines on stderr').toMatch(/^\[Task [12]\/2\] ✓ textkit_task\/task7 features_1_2 complete in \d+s/m)

    const pairs = await pairDirs(w.logs, 'solo-run', 'solo')
    expect(pairs.map(featuresOfPairDir)).toEqual([
      [1, 2],
      [3, 4],
    ])
    for (const dir of pairs) {
      const features = featuresOfPairDir(dir)
      expect((await listFiles(dir)).sort()).toEqual(['eval.json', 'result.json', 'solo.patch', 'solo_traj.json'])

      const result = await readJson(join(dir, 'result.json'))
      expectCommonResultKeys(result, { run: 'solo-run', setting: 'solo', features })
      expect(result).not.toHaveProperty('agents')
      expect(result).not.toHaveProperty('messages_sent')
      expect(result.agent).toMatchObject({ status: 'Submitted', error: null })
      expectAgentNumbers(result.agent)
      expect(result.total_cost).toBe(result.agent.cost)
      expect(result.total_steps).toBe(result.agent.steps)

      const patch = await readFile(join(dir, 'solo.patch'), 'utf8')
      expect(patch.length).toBeGreaterThan(0)
      expect(patch.endsWith('\n')).toBe(true)
      expect(patch).toMatch(/^diff --git /)
      expect(result.agent.patch_lines).toBe(patch.split('\n').length - 1)

      const trajectory = await readJson(join(dir, 'solo_traj.json'))
      expect(trajectory).toMatchObject({ repo: 'textkit_task', task_id: 7, features, agent_id: 'solo', model: null, status: 'Submitted' })
      expect(Array.isArray(trajectory.messages)).toBe(true)

      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict).toMatchObject({ repo: 'textkit_task', task_id: 7, features, setting: 'solo', merge: null, both_passed: true, error: null })
      expect(verdict.evaluated_at).toMatch(ISO_TIMESTAMP)
      for (const [i, key] of (['feature1', 'feature2'] as const).entries()) {
        expectFeatureVerdict(verdict[key], features[i]!)
        expect(verdict[key]).toMatchObject({ passed: true, exit_code: 0 })
        expect(verdict[key].tests_passed).toBeGreaterThanOrEqual(1)
      }
    }

    const summary = await readJson(join(w.logs, 'solo-run', 'summary.json'))
    expect(summary).toMatchObject({ run_name: 'solo-run', interrupted: false, total_tasks: 2, completed: 2, skipped: 0, failed: 0, pass_rate: 1 })
    expect(summary.results.map((e: { task: string }) => e.task)).toEqual(['textkit_task/7/1,2', 'textkit_task/7/3,4'])
    expect(summary.results.every((e: { status: string; eval: string }) => e.status === 'done' && e.eval === 'pass')).toBe(true)
    expect(summary.eval).toMatchObject({ total_evaluated: 2, passed: 2, failed: 0, errors: 0, pass_rate: 1 })
    // What --json printed is the summary written.
    expect(document).toEqual(summary)

    const evalSummary = await readJson(join(w.logs, 'solo-run', 'eval_summary.json'))
    expect(evalSummary).toMatchObject({ run_name: 'solo-run', total_runs: 2, passed: 2, failed: 0, errors: 0, pass_rate: 1 })
    expect(evalSummary.results).toHaveLength(2)
    expect(evalSummary.results.every((e: { status: string }) => e.status === 'pass')).toBe(true)

    const config = await readJson(join(w.logs, 'solo-run', 'config.json'))
    expect(config).toMatchObject({ run_name: 'solo-run', agent_framework: 'oracle', setting: 'solo', concurrency: 4, total_tasks: 2 })
    expect(config.model).toBeNull()
    expect(config.config.modelName).toBeNull()
    expect(config.fingerprint.model).toBeNull()
    expect(config.started_at).toMatch(ISO_TIMESTAMP)
    expect(config.fingerprint_hash).toMatch(/^[0-9a-f]{16,}$/)

    for (const file of await listFiles(w.logs)) {
      expect(await readFile(join(w.logs, file), 'utf8'), `${file} contains the API key`).not.toContain(SECRET)
    }
    await expectNothingLeft(w)
  }, 120_000)

  it('coop: patches and trajectories named by feature id, conversation.json, agent1 = lower feature id, and merge outcomes that agree with `dataset conflicts`', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('coop')
    // A clean and a conflicting gold pair of task 12, so the comparison below sees both outcomes.
    const filter = ['--dataset-dir', dataset(), '-s', 'coop-two']
    const r = await runCli(['run', ...filter, '-a', 'oracle', '-c', '4', '-n', 'coop-run'], w.options())
    expect(r.code, describeResult(r)).toBe(0)

    const pairs = await pairDirs(w.logs, 'coop-run', 'coop')
    expect(pairs.map(featuresOfPairDir)).toEqual([
      [1, 2],
      [1, 4],
    ])
    const merges = new Map<string, string>()
    for (const dir of pairs) {
      const [a, b] = featuresOfPairDir(dir) as [number, number]
      expect(await listFiles(dir)).toEqual(
        [`agent${a}.patch`, `agent${a}_traj.json`, `agent${b}.patch`, `agent${b}_traj.json`, 'conversation.json', 'eval.json', 'result.json'].sort(),
      )
      for (const id of [a, b]) {
        const patch = await readFile(join(dir, `agent${id}.patch`), 'utf8')
        expect(patch.length, `agent${id}.patch`).toBeGreaterThan(0)
        expect(patch.endsWith('\n')).toBe(true)
      }
      expect(Array.isArray(await readJson(join(dir, 'conversation.json')))).toBe(true)
      const trajectories = await Promise.all([a, b].map((id) => readJson(join(dir, `agent${id}_traj.json`))))
      expect(trajectories.map((t) => [t.feature_id, t.agent_id])).toEqual([
        [a, 'agent1'],
        [b, 'agent2'],
      ])

      const result = await readJson(join(dir, 'result.json'))
      expect(result).toMatchObject({ repo: 'textkit_task', task_id: 12, features: [a, b], setting: 'coop', run_name: 'coop-run', agent_framework: 'oracle' })
      expect(result.run_id).toMatch(/^[0-9a-f]{8}$/)
      expect(result.started_at).toMatch(ISO_TIMESTAMP)
      expect(result.ended_at).toMatch(ISO_TIMESTAMP)
      expect(typeof result.duration_seconds).toBe('number')
      expect(Object.keys(result.agents)).toEqual(['agent1', 'agent2'])
      expect(result.agents.agent1.feature_id).toBe(a)
      expect(result.agents.agent2.feature_id).toBe(b)
      for (const [id, agent] of [
        [a, result.agents.agent1],
        [b, result.agents.agent2],
      ] as const) {
        expect(agent).toMatchObject({ status: 'Submitted', error: null })
        expectAgentNumbers(agent)
        const patch = await readFile(join(dir, `agent${id}.patch`), 'utf8')
        expect(agent.patch_lines).toBe(patch.split('\n').length - 1)
      }
      expect(result.total_cost).toBe(result.agents.agent1.cost + result.agents.agent2.cost)
      expect(result.total_steps).toBe(result.agents.agent1.steps + result.agents.agent2.steps)
      expect(result.messages_sent).toBe((await readJson(join(dir, 'conversation.json'))).length)
      expect(typeof result.log_dir).toBe('string')

      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict).toMatchObject({ features: [a, b], setting: 'coop', apply_status: { agent1: 'applied', agent2: 'applied' }, error: null })
      expect(['clean', 'conflicts']).toContain(verdict.merge.status)
      expect(['naive', 'union']).toContain(verdict.merge.strategy)
      expect(verdict.merge.diff.length).toBeLessThanOrEqual(5000)
      expectFeatureVerdict(verdict.feature1, a)
      expectFeatureVerdict(verdict.feature2, b)
      expect(verdict.both_passed).toBe(verdict.feature1.passed && verdict.feature2.passed)
      merges.set(`${a},${b}`, verdict.merge.status)
    }

    const reportPath = join(dataset(), 'gold_conflict_report.json')
    const reportBefore = existsSync(reportPath) ? await mtimeOf(reportPath) : null
    const gold = await runCli(['dataset', 'conflicts', ...filter, '-c', '4', '--json', '--no-write'], w.options())
    expect(gold.code, describeResult(gold)).toBe(0)
    expect(existsSync(reportPath) ? await mtimeOf(reportPath) : null, '--no-write wrote the report').toBe(reportBefore)
    const report = JSON.parse(gold.stdout)
    const goldByPair = new Map<string, string>(
      report.all_results.map((g: { f1: number; f2: number; has_conflict: boolean; error: string | null }) => {
        expect(g.error).toBeNull()
        return [`${g.f1},${g.f2}`, g.has_conflict ? 'conflicts' : 'clean']
      }),
    )
    expect(new Map([...merges].sort())).toEqual(new Map([...goldByPair].sort()))
    // The comparison is only telling when the task has both outcomes.
    expect(new Set(merges.values())).toEqual(new Set(['clean', 'conflicts']))
    await expectNothingLeft(w)
  }, 120_000)
})
