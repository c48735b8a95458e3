import type { PairFolder } from '@cooperbench/results'
import type { EvalRecord } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { policyNotes, policyRates, showsPolicies, strategyMixText } from '../../src/model/policy-rates.js'

/** A coop pair folder with a verdict (or none): only what the policy rates read. */
function pair(dir: string, verdict: 'pass' | 'fail' | 'error' | null, strategy: string | null = 'naive', policy?: string): PairFolder {
  const record =
    verdict === null
      ? null
      : ({
          both_passed: verdict === 'pass',
          error: verdict === 'error' ? 'the sandbox did not start' : null,
          merge: { status: 'conflicts', strategy, diff: '' },
          ...(policy === undefined ? {} : { policy }),
        } as unknown as EvalRecord)
  return { setting: 'coop', repo: 'r_task', taskId: 1, features: [1, 2], dir, result: {} as never, eval: record, unreadable: [] }
}

describe('rates per evaluation policy', () => {
  it("puts the run's own verdicts first, then each re-score of the same pairs, with both denominators and the strategies of the passes", () => {
    const own = [
      pair('a', 'pass', 'union', 'cooperbench-0.0.14'),
      pair('b', 'pass', 'naive', 'cooperbench-0.0.14'),
      pair('c', 'error', null, 'cooperbench-0.0.14'),
    ]
    const rescored = [
      pair('a', 'fail', 'naive', 'cooperbench-0.0.16'),
      pair('b', 'pass', 'solo-agent1', 'cooperbench-0.0.16'),
      pair('c', 'fail', 'naive', 'cooperbench-0.0.16'),
    ]
    const rates = policyRates(own, { 'cooperbench-0.0.16': rescored })
    expect(rates.map((r) => [r.policy, r.file, r.passed, r.failed, r.errors, r.rate, r.rateWithErrors])).toEqual([
      ['cooperbench-0.0.14', 'eval.json', 2, 0, 1, 1, 2 / 3],
      ['cooperbench-0.0.16', 'eval.cooperbench-0.0.16.json', 1, 2, 0, 1 / 3, 1 / 3],
    ])
    expect(strategyMixText(rates[0]!.passesBy)).toBe('naive 1 (50%), union 1 (50%)')
    expect(strategyMixText(rates[1]!.passesBy)).toBe('solo-agent1 1 (100%)')
    expect(showsPolicies({ policies: rates })).toBe(true)
  })

  it('counts verdicts of two policies in one eval.json apart, and says so; records without a policy are 0.0.14 and alone show no table', () => {
    const mixed = policyRates([pair('a', 'pass', 'union'), pair('b', 'pass', 'naive', 'cooperbench-0.0.16'), pair('c', null)], {})
    expect(mixed.map((r) => [r.policy, r.passed, r.pairs, r.named])).toEqual([
      ['cooperbench-0.0.14', 1, 3, false],
      ['cooperbench-0.0.16', 1, 3, true],
    ])
    expect(policyNotes([{ run: 'mixed', policies: mixed }])).toEqual([
      'mixed: eval.json holds verdicts of cooperbench-0.0.14 and cooperbench-0.0.16; each is counted apart',
    ])
    expect(showsPolicies({ policies: policyRates([pair('a', 'pass', 'union')], {}) })).toBe(false)
  })

  it('notes coop runs scored under different policies, and only then', () => {
    const p14 = policyRates([pair('a', 'pass', 'union')], {})
    const p16 = policyRates([pair('b', 'fail', 'naive', 'cooperbench-0.0.16')], {})
    expect(
      policyNotes([
        { run: 'x', policies: p14 },
        { run: 'y', policies: p14 },
      ]),
    ).toEqual([])
    expect(
      policyNotes([
        { run: 'x', policies: p14 },
        { run: 'y', policies: p16 },
      ])[0],
    ).toMatch(/^coop runs scored under different evaluation policies: x \(cooperbench-0\.0\.14\), y \(cooperbench-0\.0\.16\); their rates are not comparable/)
  })
})
