import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EvalRecord, ResultRecord } from '@cooperbench/spec'
import { buildEvalSummary } from '../../src/results/eval-summary.js'
import { buildReport } from '../../src/results/report.js'
import { buildRunSummary } from '../../src/results/run-summary.js'
import { parsePairFolderName, scanRun } from '../../src/results/scan-run.js'

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
  if (ev) await writeFile(join(dir, 'eval.json'), JSON.stringify(ev))
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
    const run = await mkdtemp(join(tmpdir(), 'cb-scan-'))
    await writePair(run, 'solo', 'a_task', 1, 'f1_f10', soloResult('a_task', 1, [1, 10]), null)
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), null)
    await writePair(run, 'solo', 'a_task', 1, 'f2_f3', soloResult('a_task', 1, [2, 3]), null)
    expect((await scanRun(run)).map((p) => p.features)).toEqual([
      [1, 2],
      [1, 10],
      [2, 3],
    ])

    const legacy = await mkdtemp(join(tmpdir(), 'cb-legacy-'))
    const dir = join(legacy, 'b_task', '7', 'f1_f2')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'solo.patch'), '')
    await writeFile(join(dir, 'result.json'), '{}')
    const found = await scanRun(legacy)
    expect(found.map((p) => [p.setting, p.repo, p.taskId])).toEqual([['solo', 'b_task', 7]])
  })
})

describe('eval_summary.json', () => {
  it('covers the whole run: pass, fail, error and not evaluated add up to total_runs; errors do not count in pass_rate', async () => {
    const run = await mkdtemp(join(tmpdir(), 'cb-evalsum-'))
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
  it('has one entry per pair of the run, separating this invocation’s work from reused and failed pairs', async () => {
    const run = await mkdtemp(join(tmpdir(), 'cb-runsum-'))
    const done = await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2], 1.25), evalRecord(true))
    const reused = await writePair(run, 'solo', 'a_task', 1, 'f1_f3', soloResult('a_task', 1, [1, 3], 0.5), evalRecord(false))
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
    expect(summary.results.map((r) => [r.task, r.status, r.eval])).toEqual([
      ['a_task/1/1,2', 'done', 'pass'],
      ['a_task/1/1,3', 'skip', 'fail'],
      ['a_task/1/2,3', 'error', null],
    ])
    expect(summary.eval).toMatchObject({ total_evaluated: 2, passed: 1, failed: 1, errors: 0, skipped: 1 })
  })
})

describe('report', () => {
  it('computes per-setting rates, merge counts, per-repo rows and the coordination deficit', async () => {
    const soloRun = await mkdtemp(join(tmpdir(), 'cb-rep-solo-'))
    const coopRun = await mkdtemp(join(tmpdir(), 'cb-rep-coop-'))
    await writePair(soloRun, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), evalRecord(true))
    await writePair(soloRun, 'solo', 'b_task', 1, 'f1_f2', soloResult('b_task', 1, [1, 2]), evalRecord(true))
    const coop = { ...soloResult('a_task', 1, [1, 2]), setting: 'coop' as const }
    await writePair(coopRun, 'coop', 'a_task', 1, 'f1_f2', coop as never, evalRecord(true, null, { status: 'clean', strategy: 'naive', diff: '' }))
    await writePair(coopRun, 'coop', 'b_task', 1, 'f1_f2', coop as never, evalRecord(false, null, { status: 'conflicts', strategy: 'union', diff: '' }))
    const report = buildReport([
      { name: 'solo-run', pairs: await scanRun(soloRun) },
      { name: 'coop-run', pairs: await scanRun(coopRun) },
    ])
    const coopReport = report.settings.find((s) => s.setting === 'coop')!
    expect(coopReport.merge).toEqual({ clean: 1, conflicts: 1, union: 1, missing_input: 0, error: 0 })
    expect(coopReport.perRepo.map((r) => [r.repo, r.rate])).toEqual([
      ['a_task', 1],
      ['b_task', 0],
    ])
    expect(report.deficit).toMatchObject({ solo: 1, coop: 0.5, difference: 0.5 })
    expect(report.deficit!.low).toBeLessThan(0.5)
    expect(report.deficit!.high).toBeGreaterThan(0.5)
  })

  it('never pools team sizes: one row and one deficit per size, pairs first', async () => {
    const run = await mkdtemp(join(tmpdir(), 'cb-rep-teams-'))
    const coop = (features: number[]) => ({ ...soloResult('a_task', 1, features), setting: 'coop' as const }) as never
    const merge = { status: 'clean' as const, strategy: 'naive' as const, diff: '' }
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), evalRecord(true))
    await writePair(run, 'solo', 'a_task', 1, 'f1_f2_f3', soloResult('a_task', 1, [1, 2, 3]), evalRecord(true))
    await writePair(run, 'coop', 'a_task', 1, 'f1_f2', coop([1, 2]), evalRecord(true, null, merge))
    await writePair(run, 'coop', 'a_task', 1, 'f1_f2_f3', coop([1, 2, 3]), evalRecord(false, null, merge))
    await writePair(run, 'coop', 'a_task', 1, 'f1_f2_f4', coop([1, 2, 4]), evalRecord(false, null, merge))
    const report = buildReport([{ name: 'r', pairs: await scanRun(run) }])
    expect(report.settings.map((s) => [s.setting, s.teamSize, s.pairs, s.rate])).toEqual([
      ['solo', 2, 1, 1],
      ['solo', 3, 1, 1],
      ['coop', 2, 1, 1],
      ['coop', 3, 2, 0],
    ])
    expect(report.deficits.map((d) => [d.teamSize, d.difference])).toEqual([
      [2, 0],
      [3, 1],
    ])
    expect(report.deficit?.teamSize).toBe(2)
  })

  it('never pools two runs: one row each, a deficit per solo and coop pairing, interrupted runs marked', async () => {
    const merge = { status: 'clean' as const, strategy: 'naive' as const, diff: '' }
    const coop = { ...soloResult('a_task', 1, [1, 2]), setting: 'coop' as const } as never
    const runs = []
    for (const [name, passed] of [
      ['coop-a', true],
      ['coop-b', false],
    ] as const) {
      const dir = await mkdtemp(join(tmpdir(), `cb-rep-${name}-`))
      await writePair(dir, 'coop', 'a_task', 1, 'f1_f2', coop, evalRecord(passed, null, merge))
      runs.push({ name, pairs: await scanRun(dir), interrupted: name === 'coop-b' })
    }
    const soloDir = await mkdtemp(join(tmpdir(), 'cb-rep-solo1-'))
    await writePair(soloDir, 'solo', 'a_task', 1, 'f1_f2', soloResult('a_task', 1, [1, 2]), evalRecord(true))
    const report = buildReport([...runs, { name: 'solo', pairs: await scanRun(soloDir) }])
    expect(report.settings.map((s) => [s.setting, s.runs, s.pairs, s.rate, s.interrupted])).toEqual([
      ['solo', ['solo'], 1, 1, false],
      ['coop', ['coop-a'], 1, 1, false],
      ['coop', ['coop-b'], 1, 0, true],
    ])
    expect(report.deficits.map((d) => [d.soloRun, d.coopRun, d.difference])).toEqual([
      ['solo', 'coop-a', 0],
      ['solo', 'coop-b', 1],
    ])
  })
})
