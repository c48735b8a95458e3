import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { type PairSpec, reportOf } from '../support/pair-folders.js'

const pair = (verdict: PairSpec['verdict'], n: number, errorCause?: PairSpec['errorCause']): PairSpec => ({
  setting: 'solo',
  repo: 'a_task',
  features: [1, n],
  verdict,
  ...(errorCause ? { errorCause } : {}),
})

/**
 * A solo run with a pass, a fail, two pairs of a defective task, an infrastructure error, a pair whose
 * task text changed since its agents ran and an error that names no cause.
 */
const RUN = {
  'defects-run': [
    pair('pass', 2),
    pair('fail', 3),
    pair('error', 4, 'dataset'),
    pair('error', 5, 'dataset'),
    pair('error', 6, 'infra'),
    pair('error', 8, 'task_changed'),
    pair('error', 7),
  ],
}

describe('evaluation errors by cause, apart from the fails, in every format', () => {
  it('counts each error under the cause its eval.json names, none of them as a fail', async () => {
    const report = await reportOf(RUN)
    const causes = { dataset: 2, infra: 1, agent: 0, task_changed: 1, unknown: 1 }
    expect(report.settings[0]).toMatchObject({ passed: 1, failed: 1, errors: 5, errorCauses: causes })
    expect(JSON.parse(renderReport(report, 'json')).settings[0].errorCauses).toEqual(causes)
  })

  it('gives text, Markdown, LaTeX and CSV a row per cause', async () => {
    const report = await reportOf(RUN)
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^evaluation errors by cause \(no verdict: not failed, left out of every rate\):$/m)
    expect(text).toMatch(/^ {2}defects-run +solo +2 +dataset +2$/m)
    expect(text).toMatch(/^ {2}defects-run +solo +2 +infra +1$/m)
    expect(text).toMatch(/^ {2}defects-run +solo +2 +task_changed +1$/m)
    expect(text).toMatch(/^ {2}defects-run +solo +2 +unknown +1$/m)
    expect(text).not.toMatch(/^ {2}defects-run +solo +2 +agent /m)
    const md = renderReport(report, 'md')
    expect(md).toContain(
      '\n| defects-run | solo | 2 | dataset | 2 |\n| defects-run | solo | 2 | infra | 1 |\n| defects-run | solo | 2 | task\\_changed | 1 |\n| defects-run | solo | 2 | unknown | 1 |',
    )
    expect(renderReport(report, 'latex')).toContain('\ndefects-run & solo & 2 & dataset & 2 \\\\\n')
    const csv = renderReport(report, 'csv').split('\r\n')
    expect(csv.filter((line) => line.includes(',eval_errors,'))).toEqual([
      'defects-run,,,solo,2,eval_errors,,,,,,,,,,,,,,,,,,,,,,dataset,2,,,',
      'defects-run,,,solo,2,eval_errors,,,,,,,,,,,,,,,,,,,,,,infra,1,,,',
      'defects-run,,,solo,2,eval_errors,,,,,,,,,,,,,,,,,,,,,,task_changed,1,,,',
      'defects-run,,,solo,2,eval_errors,,,,,,,,,,,,,,,,,,,,,,unknown,1,,,',
    ])
  })

  it('has no such table when every pair has a verdict', async () => {
    const report = await reportOf({ clean: [pair('pass', 2), pair('fail', 3)] })
    expect(report.settings[0]!.errorCauses).toEqual({ dataset: 0, infra: 0, agent: 0, task_changed: 0, unknown: 0 })
    for (const format of ['text', 'md', 'latex', 'csv'] as const) expect(renderReport(report, format)).not.toMatch(/eval_errors|eval-errors|errors by cause/i)
  })
})
