import { describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { reportOf } from '../support/pair-folders.js'

const clean = { status: 'clean', strategy: 'naive' } as const

/** A solo and a coop run of one agent, each pair's result.json naming `models` in turn. */
function runsWith(...models: Array<string | null>) {
  const pairs = (setting: 'solo' | 'coop') =>
    models.map((model, i) => ({
      setting,
      repo: 'a_task',
      features: [1, i + 2],
      verdict: 'pass' as const,
      model,
      ...(setting === 'coop' ? { merge: clean } : {}),
    }))
  return { 'solo-run': pairs('solo'), 'coop-run': pairs('coop') }
}

describe('the model cell of a run', () => {
  it('of an agent that calls no model (the oracle records model: null) says none, and CSV leaves it empty', async () => {
    const report = await reportOf(runsWith(null, null))
    expect(report.settings.map((s) => [s.model, s.usesModel])).toEqual([
      [null, false],
      [null, false],
    ])
    expect(report.leaderboard[0]).toMatchObject({ model: null, usesModel: false })
    const md = renderReport(report, 'md')
    expect(md).toContain('| solo-run | oracle | none | solo |')
    expect(md).toContain('| coop-run | oracle | none | coop |')
    expect(md).toMatch(/^\| oracle \| none \| \? \| solo-run vs coop-run \|/m)
    expect(renderReport(report, 'text')).toMatch(/^ {2}oracle +none +\? +solo-run vs coop-run/m)
    const latex = renderReport(report, 'latex')
    expect(latex).toContain('solo-run & oracle & none & solo &')
    expect(latex).toMatch(/^oracle & none & \? & /m)
    const csv = renderReport(report, 'csv').split('\r\n')
    expect(csv.find((line) => line.includes(',overall,'))).toMatch(/^solo-run,oracle,,solo,2,overall,/)
    expect(csv.find((line) => line.includes(',leaderboard_solo,'))).toMatch(/^solo-run vs coop-run,oracle,,solo-coop,2,/)
  })

  it('a config.json fingerprint with model: null says the same, whatever result.json holds', async () => {
    const fingerprint = { agent: 'oracle', model: null }
    const report = await reportOf(runsWith('m'), [], { 'coop-run': { coop: fingerprint } })
    expect(report.settings.find((s) => s.setting === 'coop')).toMatchObject({ model: null, usesModel: false })
  })

  it('an unknown model (the pairs name different ones) stays ?, distinct from none', async () => {
    const report = await reportOf(runsWith('model-a', 'model-b'))
    expect(report.settings.map((s) => [s.model, s.usesModel])).toEqual([
      [null, true],
      [null, true],
    ])
    const md = renderReport(report, 'md')
    expect(md).toContain('| solo-run | oracle | ? | solo |')
    expect(md).not.toContain('| none |')
    expect(renderReport(report, 'latex')).toContain('solo-run & oracle & ? & solo &')
  })
})
