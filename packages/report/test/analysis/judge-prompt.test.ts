import type { EvalRecord, FeatureEvalRecord } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { judgeUserPrompt } from '../../src/analysis/judge.js'

const verdict = (feature_id: number | null, passed: boolean, test_output: string): FeatureEvalRecord => ({
  feature_id,
  passed,
  exit_code: passed ? 0 : 1,
  tests_passed: passed ? 3 : 1,
  tests_failed: passed ? 0 : 2,
  test_output,
})

/** An eval record as the evaluator writes it: verdicts numbered by position, `feature1` the pair's first feature. */
const record = (features: number[], verdicts: FeatureEvalRecord[]): EvalRecord =>
  ({
    repo: 'textkit_task',
    task_id: 7,
    features,
    setting: 'coop',
    merge: { status: 'clean', strategy: 'naive' },
    both_passed: false,
    ...Object.fromEntries(verdicts.map((v, i) => [`feature${i + 1}`, v])),
  }) as unknown as EvalRecord

describe("the judge's prompt", () => {
  it("shows each feature's own verdict and test output for a pair other than f1_f2", () => {
    const prompt = judgeUserPrompt({
      features: [3, 5],
      eval: record([3, 5], [verdict(3, true, 'OUTPUT OF THREE'), verdict(5, false, 'OUTPUT OF FIVE')]),
      agents: [],
      conversation: [],
    })
    expect(prompt).toContain('## Tests of feature 3: passed\nOUTPUT OF THREE')
    expect(prompt).toContain('## Tests of feature 5: failed\nOUTPUT OF FIVE')
  })

  it('reads a record without feature ids by position', () => {
    const prompt = judgeUserPrompt({
      features: [2, 4],
      eval: record([2, 4], [verdict(null, false, 'TWO'), verdict(null, true, 'FOUR')]),
      agents: [],
      conversation: [],
    })
    expect(prompt).toContain('## Tests of feature 2: failed\nTWO')
    expect(prompt).toContain('## Tests of feature 4: passed\nFOUR')
  })
})
