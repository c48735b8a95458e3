import { describe, expect, it } from 'vitest'
import type { EvalRecord } from '@cooperbench/spec'
import {
  MERGE_DIFF_MAX_CHARS,
  emptyFeatureEvalRecord,
  evalErrorRecord,
  evalSuccessRecord,
  featureEvalRecord,
  truncateChars,
  type EvalRecordContext,
} from '../src/eval-records.js'

const coopCtx: EvalRecordContext = { repo: 'go_chi_task', task_id: 26, features: [1, 2], setting: 'coop', merged: true }
const soloCtx: EvalRecordContext = { ...coopCtx, setting: 'solo', merged: false }
const AT = '2026-05-15T14:12:30.551+00:00'

const FEATURE_KEYS = ['feature_id', 'passed', 'exit_code', 'tests_passed', 'tests_failed', 'test_output']
const COOP_KEYS = ['repo', 'task_id', 'features', 'setting', 'apply_status', 'merge', 'feature1', 'feature2', 'both_passed', 'error', 'evaluated_at']
const SOLO_KEYS = ['repo', 'task_id', 'features', 'setting', 'merge', 'feature1', 'feature2', 'both_passed', 'error', 'evaluated_at']
/** Upstream's N-agent keys (PR #75), after the reference's in a pair's record. */
const N_AGENT_KEYS = ['all_passed', 'features_result']

const pass = featureEvalRecord(1, { exitCode: 0, testsPassed: 31, testsFailed: 0, output: 'ok', passed: true })
const fail = featureEvalRecord(2, { exitCode: 1, testsPassed: 28, testsFailed: 3, output: 'no', passed: false })

/** The JSON a reader sees (no undefined, no functions). */
const json = (r: EvalRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>

function expectFeatureShape(f: unknown, idType: 'number' | 'null'): void {
  expect(Object.keys(f as object)).toEqual(FEATURE_KEYS)
  const r = f as Record<string, unknown>
  expect(r.feature_id === null ? 'null' : typeof r.feature_id).toBe(idType)
  expect(typeof r.passed).toBe('boolean')
  expect(r.exit_code === null || Number.isInteger(r.exit_code)).toBe(true)
  expect(Number.isInteger(r.tests_passed) && Number.isInteger(r.tests_failed)).toBe(true)
  expect(typeof r.test_output).toBe('string')
}

describe('eval.json shapes (docs/reference-compatibility.md#run-folder)', () => {
  it('coop success: reference keys in order, then the additive ones', () => {
    const r = json(
      evalSuccessRecord(
        coopCtx,
        { apply_status: { agent1: 'applied', agent2: 'applied' }, merge: { status: 'conflicts', strategy: 'union', diff: 'diff --git a/x b/x\n' } },
        [pass, fail],
        AT,
        { patch_filter: { agent1: [], agent2: ['tests/test_x.py'] }, base_commit: 'abc', timings: { total: 5 }, policy: 'cooperbench-0.0.16' },
      ),
    )
    expect(Object.keys(r)).toEqual([...COOP_KEYS, ...N_AGENT_KEYS, 'patch_filter', 'base_commit', 'timings', 'policy'])
    expect(r.policy).toBe('cooperbench-0.0.16')
    expect(r.features_result).toEqual({
      '1': { feature_id: 1, passed: true, exit_code: 0, tests_passed: 31, tests_failed: 0 },
      '2': { feature_id: 2, passed: false, exit_code: 1, tests_passed: 28, tests_failed: 3 },
    })
    expect(r.all_passed).toBe(false)
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(r.merge).toEqual({ status: 'conflicts', strategy: 'union', diff: 'diff --git a/x b/x\n' })
    expectFeatureShape(r.feature1, 'number')
    expectFeatureShape(r.feature2, 'number')
    expect(r.both_passed).toBe(false)
    expect(r.error).toBeNull()
    expect(r.evaluated_at).toBe(AT)
    expect(r.features).toEqual([1, 2])
  })

  it("an error of a merged pair of any setting has a merged pair's shape, of a single patch a solo one's", () => {
    for (const setting of ['team', 'plan-execute']) {
      const r = json(evalErrorRecord({ ...coopCtx, setting }, 'x', AT))
      expect(r).toMatchObject({ setting, apply_status: { agent1: 'unknown', agent2: 'unknown' }, merge: { status: 'error', strategy: null, diff: '' } })
    }
    expect(json(evalErrorRecord({ ...coopCtx, setting: 'sequential', merged: false }, 'x', AT))).toMatchObject({ setting: 'sequential', merge: null })
  })

  it("a merged pair of any setting records its merge, under its setting's name (a team's, a plugin's)", () => {
    const merged = { apply_status: { agent1: 'applied', agent2: 'applied' }, merge: { status: 'clean', strategy: 'naive', diff: '' } } as const
    for (const setting of ['team', 'plan-execute']) {
      const r = json(evalSuccessRecord({ ...coopCtx, setting }, merged, [pass, fail], AT))
      expect(Object.keys(r)).toEqual([...COOP_KEYS, ...N_AGENT_KEYS])
      expect(r).toMatchObject({ setting, apply_status: merged.apply_status, merge: merged.merge })
    }
  })

  it('both_passed is feature1.passed && feature2.passed', () => {
    expect(evalSuccessRecord(soloCtx, null, [pass, { ...pass, feature_id: 2 }], AT).both_passed).toBe(true)
    expect(evalSuccessRecord(soloCtx, null, [pass, fail], AT).both_passed).toBe(false)
  })

  it('solo success: merge null, no apply_status, full feature objects', () => {
    const r = json(evalSuccessRecord(soloCtx, null, [pass, fail], AT))
    expect(Object.keys(r)).toEqual([...SOLO_KEYS, ...N_AGENT_KEYS])
    expect(r.merge).toBeNull()
    expectFeatureShape(r.feature1, 'number')
  })

  it('coop error: apply_status unknown, merge error with null strategy, empty features', () => {
    const message = 'Both naive and union merge strategies failed. Naive: conflicts. Union: Union merge still has conflicts'
    const r = json(evalErrorRecord(coopCtx, message, AT))
    expect(Object.keys(r)).toEqual([...COOP_KEYS, ...N_AGENT_KEYS])
    expect(r.apply_status).toEqual({ agent1: 'unknown', agent2: 'unknown' })
    expect(r.merge).toEqual({ status: 'error', strategy: null, diff: '' })
    expect(r.feature1).toEqual({ feature_id: null, passed: false, exit_code: null, tests_passed: 0, tests_failed: 0, test_output: '' })
    expect(r.feature2).toEqual(r.feature1)
    expect(r.both_passed).toBe(false)
    expect(r.error).toBe(message)
  })

  it('solo error: merge null; features carry passed and test_output (plus the additive keys)', () => {
    const r = json(evalErrorRecord(soloCtx, 'Failed to get base commit SHA', AT, { base_commit: null }))
    expect(Object.keys(r)).toEqual([...SOLO_KEYS, ...N_AGENT_KEYS, 'base_commit'])
    expect(r.merge).toBeNull()
    expect(r.feature1).toMatchObject({ passed: false, test_output: '' })
    expectFeatureShape(r.feature1, 'null')
    expect(r.error).toBe('Failed to get base commit SHA')
  })

  it('records do not share arrays with their inputs', () => {
    const ctx = { ...coopCtx, features: [1, 2] }
    const r = evalErrorRecord(ctx, 'x', AT)
    ctx.features.push(3)
    expect(r.features).toEqual([1, 2])
    expect(emptyFeatureEvalRecord()).not.toBe(emptyFeatureEvalRecord())
  })
})

describe('merge.diff truncation', () => {
  it('keeps the first 5 000 characters', () => {
    const diff = 'x'.repeat(MERGE_DIFF_MAX_CHARS + 10)
    const r = evalSuccessRecord(
      coopCtx,
      { apply_status: { agent1: 'applied', agent2: 'skipped' }, merge: { status: 'clean', strategy: 'naive', diff } },
      [pass, fail],
      AT,
    )
    expect(r.merge!.diff).toHaveLength(MERGE_DIFF_MAX_CHARS)
  })

  it('counts characters as code points, like the reference (Python) does', () => {
    const astral = '\u{1F600}'
    expect(truncateChars(astral.repeat(3), 2)).toBe(astral.repeat(2))
    expect(truncateChars('abc', 5)).toBe('abc')
    expect(truncateChars('', 0)).toBe('')
  })
})

describe('teams of more than two', () => {
  it('success: feature1..N in order, both_passed and all_passed both mean every feature passed', () => {
    const ctx = { ...coopCtx, features: [1, 2, 3] }
    const coopOutcome = {
      apply_status: { agent1: 'applied', agent2: 'applied', agent3: 'skipped' } as const,
      merge: { status: 'clean' as const, strategy: 'naive' as const, diff: '' },
    }
    const failing = json(evalSuccessRecord(ctx, coopOutcome, [pass, { ...pass, feature_id: 2 }, { ...fail, feature_id: 3 }], AT))
    expect(Object.keys(failing)).toEqual([
      'repo',
      'task_id',
      'features',
      'setting',
      'apply_status',
      'merge',
      'feature1',
      'feature2',
      'feature3',
      'both_passed',
      'all_passed',
      'error',
      'evaluated_at',
      'features_result',
    ])
    expect(Object.keys(failing.features_result as object)).toEqual(['1', '2', '3'])
    expect(failing.all_passed).toBe(false)
    expect(failing.both_passed).toBe(false)
    const passing = evalSuccessRecord(ctx, coopOutcome, [pass, pass, pass], AT)
    expect([passing.both_passed, passing.all_passed]).toEqual([true, true])
  })

  it('error: one unknown apply status and one empty verdict per member', () => {
    const r = json(evalErrorRecord({ ...coopCtx, features: [1, 2, 3] }, 'x', AT))
    expect(r.apply_status).toEqual({ agent1: 'unknown', agent2: 'unknown', agent3: 'unknown' })
    expect(r.feature3).toEqual(r.feature1)
    expect(r.all_passed).toBe(false)
  })

  it("pairs keep the reference's keys first (no feature3); upstream's N-agent keys follow them", () => {
    const r = json(evalSuccessRecord(coopCtx, null, [pass, { ...pass, feature_id: 2 }], AT))
    expect('feature3' in r).toBe(false)
    expect(Object.keys(r).slice(-2)).toEqual(['all_passed', 'features_result'])
    expect(r.all_passed).toBe(true)
    const error = json(evalErrorRecord(coopCtx, 'x', AT))
    expect([error.all_passed, Object.keys(error.features_result as object)]).toEqual([false, ['1', '2']])
  })
})
