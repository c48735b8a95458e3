import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { reportOf } from '../support/pair-folders.js'

/** A model without a price records $0: every format says the cost is unknown instead. */
describe('unknown cost', () => {
  const runs = {
    unpriced: [
      { setting: 'solo' as const, repo: 'a_task', features: [1, 2], verdict: 'pass' as const, costUnknown: true },
      { setting: 'solo' as const, repo: 'a_task', features: [1, 3], verdict: 'fail' as const, costUnknown: true },
    ],
    mixed: [
      {
        setting: 'coop' as const,
        repo: 'a_task',
        features: [1, 2],
        verdict: 'pass' as const,
        cost: 0.5,
        merge: { status: 'clean' as const, strategy: 'naive' as const },
      },
      {
        setting: 'coop' as const,
        repo: 'a_task',
        features: [1, 3],
        verdict: 'fail' as const,
        costUnknown: true,
        merge: { status: 'clean' as const, strategy: 'naive' as const },
      },
    ],
  }

  it('counts the pairs whose trajectories say cost_unknown', async () => {
    const report = await reportOf(runs)
    expect(report.settings.map((s) => [s.runs[0], s.cost, s.costUnknownPairs])).toEqual([
      ['unpriced', 0, 2],
      ['mixed', 0.5, 1],
    ])
  })

  it('prints unknown, or a lower bound, never $0, in every format', async () => {
    const report = await reportOf(runs)
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^\s+2\s+2\s+1\s+1\s+0\s+50\.0%\s+\[9\.5%, 90\.5%\]\s+50\.0%\s+unknown$/m)
    expect(text).toContain('≥ $0.50 (1 of 2 unknown)')
    const md = renderReport(report, 'md')
    expect(md).toContain('| 50.0% | unknown |\n')
    expect(md).toContain('| ≥ $0.50 (1 of 2 unknown) |\n')
    expect(md).not.toContain('$0.00')
    const latex = renderReport(report, 'latex')
    expect(latex).toContain(' & unknown \\\\\n')
    expect(latex).toContain(' & $\\geq$ 0.50 (1 of 2 unknown) \\\\\n')
    const csv = renderReport(report, 'csv').split('\r\n')
    const header = csv[0]!.split(',')
    const overall = csv.filter((r) => r.includes(',overall,')).map((r) => r.split(','))
    expect(overall.map((r) => [r[0], r[header.indexOf('cost')], r[header.indexOf('cost_unknown_pairs')]])).toEqual([
      ['unpriced', '', '2'],
      ['mixed', '0.5', '1'],
    ])
  })
})
