import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildReport, type ReportRun } from '../../src/model/report.js'
import { readRunAnalysis } from '../../src/readers/run-analysis.js'
import { readRunFingerprints } from '../../src/readers/run-fingerprints.js'
import { scanRun } from '@cooperbench/results'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

/** A pair: its verdict and whether the naive merge conflicted. */
type Pair = { pass: boolean; conflict?: boolean } | 'error'

interface CoopRunSpec {
  messaging: boolean
  git?: boolean
  model?: string
  /** Per task (1, 2, …) the messaging share analysis.json gives; no analysis.json without it. */
  shares?: number[]
}

/** A coop run folder with one pair per entry (tasks 1, 2, …), its config.json fingerprint and, when asked, an analysis.json. */
async function coopRun(name: string, pairs: Pair[], spec: CoopRunSpec): Promise<ReportRun> {
  const root = await mkdtemp(join(tmpdir(), `cb-ablation-${name}-`))
  made.push(root)
  for (const [i, pair] of pairs.entries()) {
    const dir = join(root, 'coop', 'a_task', String(i + 1), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const result = {
      repo: 'a_task',
      task_id: i + 1,
      features: [1, 2],
      setting: 'coop',
      agent_framework: 'mini_swe_agent',
      model: 'gpt-5',
      total_cost: 0.1,
      agents: {},
    }
    const pairOfFolder = { repo: 'a_task', task_id: i + 1, features: [1, 2], setting: 'coop' }
    const evaluation =
      pair === 'error'
        ? { ...pairOfFolder, both_passed: false, error: 'Sandbox failed to start', merge: { status: 'error', strategy: null, diff: '' } }
        : {
            ...pairOfFolder,
            feature1: { feature_id: 1, passed: pair.pass, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' },
            feature2: { feature_id: 2, passed: pair.pass, exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' },
            both_passed: pair.pass,
            error: null,
            merge: pair.conflict ? { status: 'conflicts', strategy: 'union', diff: '' } : { status: 'clean', strategy: 'naive', diff: '' },
          }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
  }
  const fingerprint = {
    setting: 'coop',
    agent: 'mini_swe_agent',
    model: spec.model ?? 'gpt-5',
    messaging_enabled: spec.messaging,
    git_enabled: spec.git ?? false,
    agent_config_digest: null,
    prompt_profile: 'cooperbench-v1',
    limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
    harness_version: '0.1.0',
  }
  await writeFile(join(root, 'config.json'), JSON.stringify({ fingerprints: { coop: { value: fingerprint, hash: 'h' } } }))
  if (spec.shares) await writeFile(join(root, 'analysis.json'), JSON.stringify(analysisRecord(name, spec.shares)))
  return {
    name,
    pairs: await scanRun(root),
    fingerprints: await readRunFingerprints(root),
    analysis: (await readRunAnalysis(root)).analysis,
  }
}

function analysisRecord(name: string, shares: number[]) {
  const signals = (share: number) => ({
    messages: 2,
    messaging_step_share: share,
    messaging_token_share: share,
    unanswered_questions: [],
    files_both_edited: [],
    broken_promises: [],
  })
  return {
    run_name: name,
    analyzed_at: '2025-01-01T00:00:00.000Z',
    judge: { model: 'openai/gpt-4o', prompt_version: 'taxonomy-v1' },
    pairs: shares.map((share, i) => ({
      repo: 'a_task',
      task_id: i + 1,
      features: [1, 2],
      outcome: 'failed',
      signals: signals(share),
      judgement: null,
      judge_error: null,
    })),
    summary: {
      pairs: shares.length,
      failed: 4,
      judged: 4,
      categories: {
        expectation: { count: 1, share: 0.25, ci: { low: 0.05, high: 0.7 } },
        communication: { count: 3, share: 0.75, ci: { low: 0.3, high: 0.95 } },
      },
      signals: {
        messages_per_pair: 2,
        messaging_step_share: 0.2,
        messaging_token_share: 0.1,
        unanswered_questions_per_pair: 0.5,
        pairs_with_shared_files: 1,
        broken_promises: 0,
      },
    },
  }
}

const pass = { pass: true }
const fail = { pass: false }
const failConflict = { pass: false, conflict: true }
const passConflict = { pass: true, conflict: true }

describe('the communication ablation', () => {
  it('puts messaging, --no-messaging and --git runs of one configuration side by side on the pairs all of them judged', async () => {
    const messaging = await coopRun('msg', [pass, fail, fail, passConflict, 'error'], { messaging: true, shares: [0.2, 0.4, 0, 0, 0.9] })
    const silent = await coopRun('silent', [pass, failConflict, failConflict, failConflict, fail], { messaging: false })
    const git = await coopRun('git', [pass, pass, fail, fail, fail], { messaging: true, git: true })
    const report = buildReport([messaging, silent, git])
    expect(report.ablations).toHaveLength(1)
    const [ablation] = report.ablations
    // Task 5 is an evaluation error in the messaging run: left out of every run's rates.
    expect(ablation).toMatchObject({ pairSize: 2, pairs: 4, dropped: 1 })
    const byRun = Object.fromEntries(ablation!.variants.map((v) => [v.run, v]))
    expect(byRun.msg).toMatchObject({ mode: 'messaging', success: { count: 2, rate: 0.5 }, conflicts: { count: 1, rate: 0.25 } })
    expect(byRun.silent).toMatchObject({ mode: 'no messaging', success: { count: 1, rate: 0.25 }, conflicts: { count: 3, rate: 0.75 } })
    expect(byRun.git).toMatchObject({ mode: 'git', success: { count: 2 }, conflicts: { count: 0 } })
    // The mean over the four common pairs only (task 5's 0.9 is not among them).
    expect(byRun.msg!.messagingShare).toBeCloseTo(0.15, 10)
    expect(byRun.msg!.messagingSharePairs).toBe(4)
    expect(byRun.silent!.messagingShare).toBeNull()
    expect(byRun.msg!.success.ci.low).toBeLessThan(0.5)
    expect(byRun.msg!.success.ci.high).toBeGreaterThan(0.5)
    expect(report.refusedAblations).toEqual([])
  })

  it('never groups runs whose configurations differ beyond messaging and git: they are refused with the difference', async () => {
    const messaging = await coopRun('msg', [pass, fail], { messaging: true })
    const otherModel = await coopRun('silent-gpt4', [pass, fail], { messaging: false, model: 'gpt-4o' })
    const report = buildReport([messaging, otherModel])
    expect(report.ablations).toEqual([])
    expect(report.refusedAblations).toEqual([{ pairSize: 2, runs: ['msg', 'silent-gpt4'], reasons: ['model: "gpt-5" → "gpt-4o"'] }])
  })

  it('is no ablation when every run had the same communication', async () => {
    const a = await coopRun('a', [pass], { messaging: true })
    const b = await coopRun('b', [fail], { messaging: true })
    const report = buildReport([a, b])
    expect(report.ablations).toEqual([])
    expect(report.refusedAblations).toEqual([])
  })
})

describe('the failure analysis of a run', () => {
  it("is reported with its category shares, intervals, signals and how many of the run's pairs it covers", async () => {
    const run = await coopRun('msg', [pass, fail, fail], { messaging: true, shares: [0.1, 0.2] })
    const [analysis] = buildReport([run]).analyses
    expect(analysis).toMatchObject({ run: 'msg', pairsAnalyzed: 2, coopPairs: 3, judged: 4, judge: { model: 'openai/gpt-4o' } })
    expect(analysis!.categories).toContainEqual({ category: 'communication', count: 3, share: 0.75, ci: { low: 0.3, high: 0.95 } })
    expect(analysis!.signals.messaging_step_share).toBe(0.2)
  })

  it('is a problem, not "no analysis", when analysis.json is not an analysis record', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cb-analysis-bad-'))
    made.push(root)
    await writeFile(join(root, 'analysis.json'), JSON.stringify({ pairs: 'none' }))
    expect((await readRunAnalysis(root)).problem).toMatch(/analysis\.json is not an analysis record/)
    await writeFile(join(root, 'analysis.json'), '{"pairs": [')
    expect((await readRunAnalysis(root)).problem).toMatch(/not valid JSON/)
    await rm(join(root, 'analysis.json'))
    expect(await readRunAnalysis(root)).toEqual({ analysis: null, problem: null })
  })
})
