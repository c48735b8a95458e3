import { describe, expect, it } from 'vitest'
import { REPORT_FORMATS, renderReport } from '../../../src/report-formats/index.js'
import { reportOf, TWO_RUNS } from './pair-folders.js'

describe('renderReport', () => {
  it('json is the RunReport itself; text is the terminal report; every format is a whole file ending in one line break', async () => {
    const report = await reportOf(TWO_RUNS)
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(report)
    expect(renderReport(report, 'text')).toMatch(/^coordination deficit \(solo − coop\): 25\.0 points, 95% CI \[-35\.5, 70\.4\] \(solo 75\.0%, coop 50\.0%\)\n$/m)
    for (const format of REPORT_FORMATS) {
      const file = renderReport(report, format)
      expect(file, format).toMatch(format === 'csv' ? /[^\n]\r\n$/ : /[^\r\n]\n$/)
    }
  })
})
