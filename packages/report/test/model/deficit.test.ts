import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CooperbenchError } from '@cooperbench/spec'
import { renderReport } from '../../src/formats/index.js'
import { buildReport, type ReportRun } from '../../src/model/report.js'
import { readRunFingerprints } from '../../src/readers/run-fingerprints.js'
import { scanRun } from '@cooperbench/results'

type Verdict = 'pass' | 'fail' | 'error'
type Merge = 'clean' | 'union' | 'missing_input'

const made: string[] = []
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))))

const FINGERPRINT = {
  agent: 'mini_swe_agent',
  model: 'gpt-5',
  agent_config_digest: null,
  prompt_profile: 'reference',
  limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
  harness_version: '0.1.0',
}

/** A run folder with one pair per verdict (tasks 1, 2, …) in `setting`, and a config.json with its fingerprint. */
async function run(
  name: string,
  setting: 'solo' | 'coop',
  verdicts: Array<Verdict | [Verdict, Merge]>,
  fingerprint: Record<string, unknown> | null = { ...FINGERPRINT, setting },
): Promise<ReportRun> {
  const root = await mkdtemp(join(tmpdir(), `cb-deficit-${name}-`))
  made.push(root)
  for (const [i, entry] of verdicts.entries()) {
    const [verdict, mergeKind] = Array.isArray(entry) ? entry : [entry, 'clean' as Merge]
    const dir = join(root, setting, 'a_task', String(i + 1), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const result = {
      repo: 'a_task',
      task_id: i + 1,
      features: [1, 2],
      setting,
      run_name: name,
      agent_framework: 'mini_swe_agent',
      model: 'gpt-5',
      total_cost: 0.1,
    }
    const merge =
      setting === 'solo' || verdict === 'error'
        ? setting === 'solo'
          ? null
          : { status: 'error', strategy: null, diff: '' }
        : { status: mergeKind === 'union' ? 'conflicts' : mergeKind, strategy: mergeKind === 'union' ? 'union' : 'naive', diff: '' }
    const feature = (id: number) => ({ feature_id: id, passed: verdict === 'pass', exit_code: 0, tests_passed: 1, tests_failed: 0, test_output: '' })
    const evaluation = {
      repo: 'a_task',
      task_id: i + 1,
      features: [1, 2],
      setting,
      feature1: feature(1),
      feature2: feature(2),
      both_passed: verdict === 'pass',
      error: verdict === 'error' ? 'Sandbox failed to start' : null,
      merge,
    }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
  }
  if (fingerprint) await writeFile(join(root, 'config.json'), JSON.stringify({ fingerprints: { [setting]: { value: fingerprint, hash: 'h' } } }))
  return { name, pairs: await scanRun(root), fingerprints: await readRunFingerprints(root) }
}

const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v)

describe('the coordination deficit', () => {
  it('is relative: solo 50%, coop 25% is a 50% deficit, 25 points beside it', async () => {
    // 8 pairs: solo passes 1–4, coop passes 1–2.
    const solo = await run('solo', 'solo', [...repeat(4, 'pass' as const), ...repeat(4, 'fail' as const)])
    const coop = await run('coop', 'coop', [...repeat(2, 'pass' as const), ...repeat(6, 'fail' as const)])
    const d = buildReport([solo, coop]).deficit!
    expect(d).toMatchObject({ solo: 0.5, coop: 0.25, difference: 0.25, pairs: 8 })
    expect(d.relative.value).toBe(0.5)
    expect(d.relative.low!).toBeLessThan(0.5)
    expect(d.relative.high!).toBeLessThanOrEqual(1)
    expect(d.agreement).toEqual({ bothPass: 2, soloOnly: 2, coopOnly: 0, neither: 4 })
    expect(d.mcnemar.pValue).toBe(0.5)
  })

  it('pairs the runs: same marginals, a narrower interval when the runs agree pair by pair', async () => {
    // 27 pairs, solo 10 passes, coop 9: agreeing (9 both, 1 solo only) vs the same counts on disjoint pairs.
    const agreeing = [...repeat(9, 'pass' as const), 'pass' as const, ...repeat(17, 'fail' as const)]
    const coopAgreeing = [...repeat(9, 'pass' as const), 'fail' as const, ...repeat(17, 'fail' as const)]
    const solo = await run('solo', 'solo', agreeing)
    const paired = buildReport([solo, await run('coop', 'coop', coopAgreeing)]).deficit!
    const disjoint = buildReport([
      solo,
      await run('coop2', 'coop', [...repeat(10, 'fail' as const), ...repeat(9, 'pass' as const), ...repeat(8, 'fail' as const)]),
    ]).deficit!
    expect(paired.difference).toBeCloseTo(disjoint.difference, 10)
    expect(paired.high - paired.low).toBeLessThan((disjoint.high - disjoint.low) / 2)
  })

  it('compares only the pairs judged in both runs and says how many were dropped', async () => {
    const solo = await run('solo', 'solo', ['pass', 'pass', 'fail', 'pass', 'pass'])
    const coop = await run('coop', 'coop', ['pass', 'error', 'fail'])
    const d = buildReport([solo, coop]).deficit!
    expect(d.pairs).toBe(2)
    expect(d.dropped).toEqual({ soloOnly: 2, coopOnly: 0, notJudgedInBoth: 1 })
    expect([d.solo, d.coop]).toEqual([0.5, 0.5])
  })

  it('refuses runs whose fingerprints differ, naming the difference; naming them is an error', async () => {
    const solo = await run('oracle-solo', 'solo', ['pass', 'pass'], { ...FINGERPRINT, agent: 'oracle', model: 'none' })
    const coop = await run('mini-coop', 'coop', ['fail', 'fail'])
    const report = buildReport([solo, coop])
    expect(report.deficit).toBeNull()
    expect(report.deficits).toEqual([])
    expect(report.refused).toEqual([
      {
        pairSize: 2,
        setting: 'coop',
        soloRun: 'oracle-solo',
        coopRun: 'mini-coop',
        reasons: ['agent: "oracle" → "mini_swe_agent"', 'model: "none" → "gpt-5"'],
      },
    ])
    const named = () => buildReport([solo, coop], { solo: 'oracle-solo', coop: 'mini-coop' })
    expect(named).toThrow(CooperbenchError)
    expect(named).toThrow(/cannot be compared/)
    const limits = await run('coop-50', 'coop', ['fail'], { ...FINGERPRINT, setting: 'coop', limits: { ...FINGERPRINT.limits, step_limit: 50 } })
    expect(buildReport([await run('s', 'solo', ['pass']), limits]).refused[0]!.reasons).toEqual(['limits.step_limit: 100 → 50'])
    // Workers on a cheaper model are not the solo run's model.
    const seated = await run('caid-mini', 'caid', ['pass'], { ...FINGERPRINT, setting: 'caid', seats: { worker: { model: 'gpt-5-mini' } } })
    expect(buildReport([await run('s2', 'solo', ['pass']), seated]).refused[0]!.reasons).toEqual(['seats.worker.model: (absent) → "gpt-5-mini"'])
  })

  it('compares runs of the same model served at another base URL, with a note', async () => {
    const solo = await run('solo-8000', 'solo', ['pass', 'fail'], { ...FINGERPRINT, setting: 'solo', model_base_url: 'http://127.0.0.1:8000/v1' })
    const coop = await run('coop-8001', 'coop', ['pass', 'fail'], { ...FINGERPRINT, setting: 'coop', model_base_url: 'http://127.0.0.1:8001/v1' })
    const report = buildReport([solo, coop])
    expect(report.refused).toEqual([])
    expect(report.deficit?.notes).toEqual([
      'the model was served at different base URLs: "http://127.0.0.1:8000/v1" (solo) and "http://127.0.0.1:8001/v1" (coop)',
    ])
  })

  it("compares a solo run on upstream's solo.yaml with a coop run on its coop.yaml, as upstream's paper does, with a note; never our prompts with upstream's", async () => {
    const file = (digest: string) => ({ agent_config_digest: digest, prompt_profile: `reference-config:sha256:${digest}` })
    const solo = await run('ref-solo', 'solo', ['pass', 'fail'], { ...FINGERPRINT, ...file('aa'), setting: 'solo' })
    const coop = await run('ref-coop', 'coop', ['fail', 'fail'], { ...FINGERPRINT, ...file('bb'), setting: 'coop' })
    const report = buildReport([solo, coop])
    expect(report.refused).toEqual([])
    expect(report.deficit?.notes).toEqual([
      "the agent ran upstream's configuration file of each setting, as upstream's recipe does: reference-config:sha256:aa (solo) and reference-config:sha256:bb (coop)",
    ])
    // One side on our own prompts: not the same agent setup, refused as before.
    const ours = await run('own-coop', 'coop', ['fail'], { ...FINGERPRINT, agent_config_digest: null, prompt_profile: 'cooperbench-v1', setting: 'coop' })
    expect(buildReport([solo, ours]).refused[0]!.reasons).toEqual([
      'agent_config_digest: "aa" → null',
      'prompt_profile: "reference-config:sha256:aa" → "cooperbench-v1"',
    ])
  })

  it('has an interval with width when every pair agrees, and a strict relative deficit with its interval', async () => {
    const solo = await run('solo', 'solo', ['pass', 'pass', 'fail', 'fail'])
    const coop = await run('coop', 'coop', ['pass', 'pass', 'fail', 'fail'])
    const d = buildReport([solo, coop]).deficit!
    expect(d.relative.value).toBe(0)
    expect(d.relative.low!).toBeLessThan(-0.5)
    expect(d.relative.high!).toBeGreaterThan(0.4)
    expect(d.strict.relative).toMatchObject({ value: 0, notEstimable: null })
    expect(d.strict.relative.high! - d.strict.relative.low!).toBeGreaterThan(0.5)
  })

  it('compares the named runs only', async () => {
    const solo = await run('solo', 'solo', ['pass', 'pass'])
    const coopA = await run('coop-a', 'coop', ['pass', 'pass'])
    const coopB = await run('coop-b', 'coop', ['fail', 'fail'])
    expect(buildReport([solo, coopA, coopB]).deficits.map((d) => d.coopRun)).toEqual(['coop-a', 'coop-b'])
    const named = buildReport([solo, coopA, coopB], { solo: 'solo', coop: 'coop-b' })
    expect(named.deficits.map((d) => d.coopRun)).toEqual(['coop-b'])
    expect(named.deficit?.relative.value).toBe(1)
    expect(() => buildReport([solo, coopA], { solo: 'coop-a', coop: 'solo' })).toThrow(/no solo results in run "coop-a"/)
  })

  it('shows no relative deficit when solo passed nothing, and compares records when config.json is missing', async () => {
    const solo = await run('solo', 'solo', ['fail', 'fail'], null)
    const coop = await run('coop', 'coop', ['pass', 'fail'])
    const d = buildReport([solo, coop]).deficit!
    expect(d.relative).toMatchObject({ value: null, low: null, high: null, notEstimable: expect.stringMatching(/solo passed no pair/) })
    expect(d.difference).toBe(-0.5)
    expect(d.notes[0]).toMatch(/no config.json fingerprint for solo \(solo\)/)
  })
})

describe('the leaderboard', () => {
  it('has a row per agent × model × communication from comparable runs only, with intervals on every rate', async () => {
    const solo = await run('solo', 'solo', ['pass', 'pass', 'pass', 'fail'])
    const coop = await run('coop', 'coop', ['pass', 'fail', 'fail', 'fail'], { ...FINGERPRINT, setting: 'coop', messaging_enabled: true, git_enabled: false })
    const coopGit = await run('coop-git', 'coop', ['pass', 'pass', 'fail', 'fail'], {
      ...FINGERPRINT,
      setting: 'coop',
      messaging_enabled: true,
      git_enabled: true,
    })
    const otherModel = await run('coop-4o', 'coop', ['pass', 'pass', 'pass', 'pass'], { ...FINGERPRINT, setting: 'coop', model: 'gpt-4o' })
    const report = buildReport([solo, coop, coopGit, otherModel])
    expect(report.refused.map((r) => r.coopRun)).toEqual(['coop-4o'])
    expect(report.leaderboard.map((r) => [r.agent, r.model, r.communication, r.coopRun])).toEqual([
      ['mini_swe_agent', 'gpt-5', 'messaging', 'coop'],
      ['mini_swe_agent', 'gpt-5', 'messaging + git', 'coop-git'],
    ])
    const row = report.leaderboard[0]!
    expect(row).toMatchObject({ soloRun: 'solo', pairs: 4, solo: { rate: 0.75 }, coop: { rate: 0.25 }, otherComparisons: 0, analysis: null })
    expect(row.relative.value).toBeCloseTo(2 / 3, 12)
    for (const r of [row.solo, row.coop, row.strict]) expect(r.high - r.low).toBeGreaterThan(0.3)
    expect(row.relative.high! - row.relative.low!).toBeGreaterThan(0.3)
  })
})

describe('the leaderboard of runs scored under different evaluation policies', () => {
  it('has a row for each policy, naming it (never one of them kept silently)', async () => {
    const solo = await run('solo', 'solo', ['pass', 'pass', 'pass', 'fail'])
    const coop = { ...FINGERPRINT, setting: 'coop', messaging_enabled: true, git_enabled: false }
    const p14 = await run('coop-14', 'coop', ['pass', 'pass', 'fail', 'fail'], coop)
    const p16 = await run('coop-16', 'coop', ['pass', 'fail', 'fail', 'fail'], coop)
    for (const pair of p16.pairs) (pair.eval as { policy?: string }).policy = 'cooperbench-0.0.16'
    const report = buildReport([solo, p14, p16])
    expect(report.leaderboard.map((r) => [r.coopRun, r.policy, r.coop.rate, r.otherComparisons])).toEqual([
      ['coop-14', 'cooperbench-0.0.14', 0.5, 0],
      ['coop-16', 'cooperbench-0.0.16', 0.25, 0],
    ])
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^ {2}agent +model +communication +policy +runs /m)
    expect(text).toMatch(/^ {2}mini_swe_agent +gpt-5 +messaging +cooperbench-0\.0\.16 +solo vs coop-16 /m)
  })
})

describe('strict success and merge outcomes', () => {
  it('counts union-merged and missing-input passes in the rate but not in the strict rate', async () => {
    const coop = await run('coop', 'coop', [['pass', 'clean'], ['pass', 'union'], ['pass', 'missing_input'], ['fail', 'union'], ['fail', 'clean'], 'error'])
    const solo = await run('solo', 'solo', repeat(6, 'pass' as const))
    const report = buildReport([solo, coop])
    const row = report.settings.find((s) => s.setting === 'coop')!
    expect(row.rate).toBe(3 / 5)
    expect(row.errors).toBe(1)
    expect(row.strict).toMatchObject({ passed: 1, rate: 1 / 5 })
    expect(row.byMerge).toEqual([
      { outcome: 'clean', pairs: 2, passed: 1, rate: 0.5 },
      { outcome: 'union', pairs: 2, passed: 1, rate: 0.5 },
      { outcome: 'missing_input', pairs: 1, passed: 1, rate: 1 },
    ])
    const soloRow = report.settings.find((s) => s.setting === 'solo')!
    expect(soloRow.strict.rate).toBe(1)
    expect(soloRow.byMerge).toEqual([])
    expect(report.deficit!.strict).toMatchObject({ solo: 1, coop: 0.2, relative: expect.objectContaining({ value: 0.8 }) })
  })
})
