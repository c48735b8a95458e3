import type { PairFolder } from '@cooperbench/results'
import type { EvalRecord } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { buildReport } from '../../src/model/report.js'

/** A finished coop pair of task 1 (features 1 and `f`), with a verdict under `policy` or none. */
function pair(f: number, passed: boolean | null, policy: string): PairFolder {
  const verdict =
    passed === null ? null : ({ both_passed: passed, error: null, merge: { status: 'clean', strategy: 'naive', diff: '' }, policy } as unknown as EvalRecord)
  return {
    setting: 'coop',
    repo: 'r_task',
    taskId: 1,
    features: [1, f],
    dir: `/logs/r/coop/r_task/1/f1_f${f}`,
    result: {} as never,
    eval: verdict,
    unreadable: [],
  }
}

const own = [2, 3, 4, 5].map((f) => pair(f, true, 'cooperbench-0.0.16'))
const policiesBlock = (text: string) => text.slice(text.indexOf('rates by evaluation policy'))

describe('the rates-by-policy table', () => {
  it('says "the same pairs" when every policy judged every pair of its run', () => {
    const rescored = [2, 3, 4, 5].map((f) => pair(f, f !== 5, 'cooperbench-0.0.14'))
    const text = renderReport(buildReport([{ name: 'r', pairs: own, rescored: { 'cooperbench-0.0.14': rescored } }]), 'text')
    expect(policiesBlock(text)).toMatch(/^rates by evaluation policy \(the same pairs\):$/m)
    expect(text).not.toContain('part of the pairs')
  })

  it('never puts a re-score interrupted after one pair (Ctrl+C during eval --policy) under "the same pairs": it names it and the fix', () => {
    // The re-score reached one pair: its what-if verdict is of that pair alone.
    const rescored = [pair(2, false, 'cooperbench-0.0.14'), ...[3, 4, 5].map((f) => pair(f, null, 'cooperbench-0.0.14'))]
    const text = policiesBlock(renderReport(buildReport([{ name: 'r', pairs: own, rescored: { 'cooperbench-0.0.14': rescored } }]), 'text'))
    expect(text).not.toContain('(the same pairs)')
    expect(text).toMatch(/^rates by evaluation policy \(some judged on part of the pairs\):$/m)
    expect(text).toContain('Judged on part of the pairs only, so not comparable: r under cooperbench-0.0.14 (1 of 4)')
    expect(text).toContain('`cooperbench eval -n RUN --policy P` judges the rest')
  })
})
