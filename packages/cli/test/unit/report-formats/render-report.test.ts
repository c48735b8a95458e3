import { describe, expect, it } from 'vitest'
import { REPORT_FORMATS, renderReport } from '../../../src/report-formats/index.js'
import { reportOf, TWO_RUNS } from './pair-folders.js'

describe('renderReport', () => {
  it('json is the RunReport itself; text is the terminal report; every format is a whole file ending in one line break', async () => {
    const report = await reportOf(TWO_RUNS)
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report)
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^coordination deficit \(solo-run vs coop-run\): 2 common pairs; dropped: 2 only in solo, 1 only in coop$/m)
    expect(text).toMatch(/^ {2}relative deficit, \(solo − coop\) \/ solo: 50\.0%, 95% CI \[0\.0%, 100\.0%\] \(paired bootstrap, 4000 resamples, seed \d+\)$/m)
    expect(text).toMatch(/^ {2}difference, solo − coop: 50\.0 points, 95% CI \[-27\.3, 90\.5\] \(Newcombe, paired\)$/m)
    expect(text).toMatch(/^ {2}solo passed +1 +1$/m)
    expect(text).toMatch(/^ {2}McNemar \(exact binomial\): p = 1\.000, 1 discordant pair$/m)
    expect(text).toMatch(/^pass rate by merge outcome: clean merge 1\/1 \(100\.0%\), conflicts, union-merged 0\/1 \(0\.0%\)/m)
    for (const format of REPORT_FORMATS) {
      const file = renderReport(report, format)
      expect(file, format).toMatch(format === 'csv' ? /[^\n]\r\n$/ : /[^\r\n]\n$/)
    }
  })
})
