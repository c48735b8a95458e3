import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EvalRecord, ResultRecord } from '@cooperbench/spec'
import { buildEvalSummary } from '../src/eval-summary.js'
import { buildRunSummary } from '../src/run-summary.js'
import { parsePairFolderName, scanRun } from '../src/scan-run.js'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'

function soloResult(repo: string, taskId: number, features: number[], cost = 0.5): ResultRecord {
  return {
    repo,
    task_id: taskId,
    features,
    setting: 'solo',
    run_id: 'abcd1234',
    run_name: 'r',
    agent_framework: 'oracle',
    model: 'm',
    started_at: '',
    ended_at: '',
    duration_seconds: 1,
    total_cost: cost,
    total_steps: 1,
    log_dir: '',
    agent: { status: 'Submitted', cost, steps: 1, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, patch_lines: 3, error: null },
  }
}

function evalRecord(bothPassed: boolean, error: string | null = null, merge: EvalRecord['merge'] = null): EvalRecord {
  const feature = { feature_id: 1, passed: bothPassed, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' }
  return {
    repo: 'x',
    task_id: 1,
    features: [1, 2],
    setting: merge ? 'coop' : 'solo',
    merge,
    feature1: feature,
    feature2: feature,
    both_passed: bothPassed,
    error,
    evaluated_at: '',
  }
}

async function writePair(root: string, setting: string, repo: string, task: number, folder: string, result: ResultRecord | null, ev: EvalRecord | null) {
  const dir = join(root, setting, repo, String(task), folder)
  await mkdir(dir, { recursive: true })
  if (result) await writeFile(join(dir, 'result.json'), JSON.stringify(result))
  // The verdict names its folder's pair, as every writer's does.
  if (ev) await writeFile(join(dir, 'eval.json'), JSON.stringify({ ...ev, repo, task_id: task, features: parsePairFolderName(folder) }))
  return dir
}

describe('run folders', () => {
  it('parses pair folder names like the reference, ascending', () => {
    expect(parsePairFolderName('f1_f5')).toEqual([1, 5])
    expect(parsePairFolderName('f5_f1')).toEqual([1, 5])
    expect(parsePairFolderName('f3')).toBeNull()
    expect(parsePairFolderName('notes')).toBeNull()
  })

  it('scans both settings in discovery order (features numeric) and reads the legacy layout', async () => {
    const run = await tempFolderOfThisFile('cb-scan-')
    await writePair(run, 'solo', 'a_task', 1, 'f1_f10', soloResult('a_task', 1, [1, 10]), null)
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), null)
    await writePair(run, 'solo', 'a_task', 1, 'f2_f3', soloResult('a_task', 1, [2, 3]), null)
    expect((await scanRun(run)).map((p) => p.features)).toEqual([
      [1, 2],
      [1, 10],
      [2, 3],
    ])

    const legacy = await tempFolderOfThisFile('cb-legacy-')
    const dir = join(legacy, 'b_task', '7', 'f1_f2')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'solo.patch'), '')
    // The reference's result.json names its setting; the folder's place does not.
    await writeFile(join(dir, 'result.json'), JSON.stringify(soloResult('b_task', 7, [1, 2])))
    const found = await scanRun(legacy)
    expect(found.map((p) => [p.setting, p.repo, p.taskId])).toEqual([['solo', 'b_task', 7]])
  })
})

describe('eval_summary.json', () => {
  it('covers the whole run: pass, fail, error and not evaluated add up to total_runs; errors do not count in pass_rate', async () => {
    const run = await tempFolderOfThisFile('cb-evalsum-')
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), evalRecord(true))
    await writePair(run, 'solo', 'a_task', 1, 'f1_f3', soloResult('a_task', 1, [1, 3]), evalRecord(false))
    await writePair(run, 'solo', 'a_task', 1, 'f2_f3', soloResult('a_task', 1, [2, 3]), evalRecord(false, 'Tests patch not found: x'))
    await writePair(run, 'solo', 'a_task', 2, 'f1_f2', soloResult('a_task', 2, [1, 2]), null)
    await writePair(run, 'solo', 'a_task', 3, 'f1_f2', null, null)
    const summary = buildEvalSummary('r', await scanRun(run))
    expect(summary).toMatchObject({ total_runs: 4, passed: 1, failed: 1, errors: 1, not_evaluated: 1, pass_rate: 0.5, pass_rate_with_errors: 0.3333 })
    expect(summary.results.map((r) => r.status)).toEqual(['pass', 'fail', 'error', 'not_evaluated'])
    expect(summary.results[2]).toMatchObject({ run: 'a_task/1/2,3', error: 'Tests patch not found: x' })
  })
})

describe('summary.json', () => {
  it('has one entry per pair of the invocation, separating this invocation’s work from reused and failed pairs', async () => {
    const run = await tempFolderOfThisFile('cb-runsum-')
    const done = await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2], 1.25), evalRecord(true))
    // Its agent called a model without a price: 0.5 is what it could price.
    const unpriced = soloResult('a_task', 1, [1, 3], 0.5)
    unpriced.agent!.cost_unknown = true
    const reused = await writePair(run, 'solo', 'a_task', 1, 'f1_f3', unpriced, evalRecord(false))
    const failedDir = join(run, 'solo', 'a_task', '1', 'f2_f3')
    const summary = buildRunSummary({
      runName: 'r',
      setting: 'solo',
      onDisk: await scanRun(run),
      invocation: [
        { setting: 'solo', repo: 'a_task', taskId: 1, features: [1, 2], dir: done, outcome: { status: 'done' } },
        { setting: 'solo', repo: 'a_task', taskId: 1, features: [1, 3], dir: reused, outcome: { status: 'skip' } },
        { setting: 'solo', repo: 'a_task', taskId: 1, features: [2, 3], dir: failedDir, outcome: { status: 'error', error: 'sandbox died' } },
      ],
      interrupted: false,
      totalTimeSeconds: 12.34,
      autoEval: true,
      reusedEvals: new Set([reused]),
    })
    expect(summary).toMatchObject({ total_tasks: 3, completed: 1, skipped: 1, failed: 1, total_cost: 1.75, pass_rate: 0.5, interrupted: false })
    expect(summary.results.map((r) => [r.task, r.status, r.eval, r.cost_unknown])).toEqual([
      ['a_task/1/1,2', 'done', 'pass', undefined],
      ['a_task/1/1,3', 'skip', 'fail', true],
      ['a_task/1/2,3', 'error', null, undefined],
    ])
    expect(summary.eval).toMatchObject({ total_evaluated: 2, passed: 1, failed: 1, errors: 0, skipped: 1 })
  })

  it('leaves out the pairs of the folder this invocation did not select: they are not reused, and neither their cost nor their verdict counts', async () => {
    const run = await tempFolderOfThisFile('cb-runsum-scope-')
    // Another selection into the same run name (another -f), and the other setting.
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2], 2), evalRecord(false))
    await writePair(run, 'solo', 'a_task', 2, 'f1_f2', null, null)
    await writePair(run, 'coop', 'a_task', 1, 'f3_f4', soloResult('a_task', 1, [3, 4], 4), evalRecord(false))
    const now = await writePair(run, 'solo', 'a_task', 1, 'f3_f4', soloResult('a_task', 1, [3, 4], 0.25), evalRecord(true))
    const summary = buildRunSummary({
      runName: 'r',
      setting: 'solo',
      onDisk: await scanRun(run),
      invocation: [{ setting: 'solo', repo: 'a_task', taskId: 1, features: [3, 4], dir: now, outcome: { status: 'done' } }],
      interrupted: false,
      totalTimeSeconds: 1,
      autoEval: true,
      reusedEvals: new Set(),
    })
    expect(summary).toMatchObject({ total_tasks: 1, completed: 1, skipped: 0, failed: 0, total_cost: 0.25, pass_rate: 1 })
    expect(summary.results.map((r) => [r.task, r.status])).toEqual([['a_task/1/3,4', 'done']])
    expect(summary.eval).toMatchObject({ total_evaluated: 1, passed: 1, failed: 0, skipped: 0 })
  })
})
