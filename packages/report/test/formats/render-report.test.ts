import { describe, expect, it } from 'vitest'
import { REPORT_FORMATS, renderReport } from '../../src/formats/index.js'
import { reportOf, TWO_RUNS } from '../support/pair-folders.js'

describe('renderReport', () => {
  it('json is the RunReport itself; text is the terminal report; every format is a whole file ending in one line break', async () => {
    const report = await reportOf(TWO_RUNS)
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report)
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^coordination deficit \(solo-run vs coop-run\): 2 common pairs; dropped: 2 only in solo, 1 only in coop$/m)
    expect(text).toMatch(
      /^ {2}relative deficit, \(solo − coop\) \/ solo: 50\.0%, 95% CI \[-106\.3%, 87\.7%\] \(Jeffreys interval: Dirichlet posterior of the agreement table, 40000 draws, seed \d+\)$/m,
    )
    expect(JSON.parse(renderReport(report, 'json')).leaderboard).toHaveLength(1)
    expect(text).toMatch(/^leaderboard:\n {2}agent +model +communication +runs +pairs +solo \[95% CI\]/m)
    expect(text).toMatch(
      /^ {2}oracle +m +\? +solo-run vs coop-run +2 +100\.0% \[34\.2%, 100\.0%\] +50\.0% \[9\.5%, 90\.5%\] +50\.0%, 95% CI \[-106\.3%, 87\.7%\]/m,
    )
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
