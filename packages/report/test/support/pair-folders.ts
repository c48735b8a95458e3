/**
 * Run folders built by hand for the report's tests: a pair folder per spec, with the
 * result.json and eval.json fields the report reads, and the RunReport that buildReport makes of them.
 */
import type { EvalRecord } from '@cooperbench/spec'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { scanRun } from '@cooperbench/results'
import { buildReport, type RunReport } from '../../src/model/report.js'
import { pairsWithUnknownCost } from '../../src/readers/unknown-cost.js'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

export interface PairSpec {
  setting: 'solo' | 'coop'
  repo: string
  /** The pair's features; [1, 2] unless given. */
  features?: number[]
  verdict: 'pass' | 'fail' | 'error'
  /** An error verdict's `error_cause` (none: the record names no cause). */
  errorCause?: NonNullable<EvalRecord['error_cause']>
  cost?: number
  /** Coop only: how the branches merged. */
  merge?: { status: 'clean' | 'conflicts'; strategy: 'naive' | 'union' }
  /** The agents called a model without a price: cost 0 and a trajectory whose model calls say `cost_unknown`, as mini_swe_agent writes. */
  costUnknown?: boolean
  /** result.json's model; `m` unless given (null: an agent that calls no model, as the oracle records). */
  model?: string | null
}

/** Writes the pair folders of one run under `runDir` (`<runDir>/<setting>/<repo>/1/f1_f2`…). */
export async function writeRun(runDir: string, pairs: PairSpec[]): Promise<void> {
  for (const p of pairs) {
    const features = p.features ?? [1, 2]
    const dir = join(runDir, p.setting, p.repo, '1', features.map((f) => `f${f}`).join('_'))
    await mkdir(dir, { recursive: true })
    const cost = p.costUnknown ? 0 : (p.cost ?? 0.5)
    const agent = {
      status: 'Submitted',
      cost,
      steps: 1,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      patch_lines: 3,
      error: null,
    }
    const result = {
      repo: p.repo,
      task_id: 1,
      features,
      setting: p.setting,
      run_id: 'r1',
      run_name: 'r',
      agent_framework: 'oracle',
      model: p.model === undefined ? 'm' : p.model,
      started_at: '',
      ended_at: '',
      duration_seconds: 1,
      total_cost: cost,
      total_steps: 1,
      log_dir: '',
      ...(p.setting === 'solo' ? { agent } : { agents: { agent1: { ...agent, feature_id: features[0] } }, messages_sent: 0 }),
    }
    const passed = p.verdict === 'pass'
    const feature = { feature_id: 1, passed, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' }
    const evaluation = {
      repo: p.repo,
      task_id: 1,
      features,
      setting: p.setting,
      merge: p.merge ? { ...p.merge, diff: '' } : null,
      feature1: feature,
      feature2: feature,
      both_passed: passed,
      error: p.verdict === 'error' ? 'tests did not run' : null,
      evaluated_at: '',
      ...(p.errorCause ? { error_cause: p.errorCause } : {}),
    }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
    if (p.costUnknown) {
      const usage = { prompt_tokens: 10, completion_tokens: 5, cache_read_tokens: 0, cache_write_tokens: 0 }
      const messages = [
        { role: 'system', content: 's', extra: { cost: 0, usage, timestamp: 1, segment: 0 } },
        { role: 'assistant', content: 'ls', extra: { cost: 0, usage, timestamp: 2, segment: 0, cost_unknown: true } },
      ]
      const file = p.setting === 'solo' ? 'solo_traj.json' : `agent${features[0]}_traj.json`
      await writeFile(
        join(dir, file),
        JSON.stringify({ repo: p.repo, task_id: 1, agent_id: 'a', model: 'm', status: 'Submitted', cost: 0, steps: 1, messages }),
      )
    }
  }
}

/**
 * The report of runs given by name, each written to its own temp folder (removed after the file's
 * tests); the runs named in `interrupted` count as interrupted; `fingerprints` are config.json's, by run.
 */
export async function reportOf(
  runs: Record<string, PairSpec[]>,
  interrupted: string[] = [],
  fingerprints: Record<string, Partial<Record<'solo' | 'coop', Record<string, unknown>>>> = {},
): Promise<RunReport> {
  const scanned = []
  for (const [name, pairs] of Object.entries(runs)) {
    const dir = await tempFolderOfThisFile('cb-report-format-')
    await writeRun(dir, pairs)
    const folders = await scanRun(dir)
    scanned.push({
      name,
      pairs: folders,
      interrupted: interrupted.includes(name),
      unknownCost: await pairsWithUnknownCost(folders),
      ...(fingerprints[name] ? { fingerprints: fingerprints[name] } : {}),
    })
  }
  return buildReport(scanned)
}

/** A solo run over two repos (a_task 2 of 2, b_task 1 of 2) and a coop run over a_task only (1 of 2). */
export const TWO_RUNS: Record<string, PairSpec[]> = {
  'solo-run': [
    { setting: 'solo', repo: 'a_task', features: [1, 2], verdict: 'pass', cost: 1 },
    { setting: 'solo', repo: 'a_task', features: [1, 3], verdict: 'pass', cost: 1 },
    { setting: 'solo', repo: 'b_task', features: [1, 2], verdict: 'pass', cost: 0.25 },
    { setting: 'solo', repo: 'b_task', features: [2, 3], verdict: 'fail', cost: 0.25 },
  ],
  'coop-run': [
    { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: { status: 'clean', strategy: 'naive' } },
    { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'fail', merge: { status: 'conflicts', strategy: 'union' } },
    { setting: 'coop', repo: 'a_task', features: [2, 3], verdict: 'error', merge: { status: 'clean', strategy: 'naive' } },
  ],
}
