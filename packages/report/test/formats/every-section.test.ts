import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderReport } from '../../src/formats/index.js'
import { tableSections } from '../../src/formats/table-sections.js'
import type { RunReport } from '../../src/model/report.js'
import { reportRuns } from '../../src/readers/read-report.js'
import { TWO_RUNS, writeRun } from '../support/pair-folders.js'

let logDir: string
let report: RunReport

const fingerprint = (setting: 'solo' | 'coop', model: string) => ({
  setting,
  agent: 'oracle',
  model,
  agent_config_digest: null,
  prompt_profile: 'reference',
  limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
})

/** Two comparable runs, a coop run of another model (not compared) and a pair whose eval.json is of another shape (unreadable). */
beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-report-every-section-'))
  for (const [name, pairs] of Object.entries(TWO_RUNS)) await writeRun(join(logDir, name), pairs)
  const clean = { status: 'clean', strategy: 'naive' } as const
  await writeRun(join(logDir, 'other-model'), [
    { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: clean },
    { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'fail', merge: clean },
  ])
  const configs = { 'solo-run': fingerprint('solo', 'm'), 'coop-run': fingerprint('coop', 'm'), 'other-model': fingerprint('coop', 'other') }
  for (const [name, value] of Object.entries(configs)) {
    await writeFile(join(logDir, name, 'config.json'), JSON.stringify({ fingerprints: { [value.setting]: { value, hash: name } } }))
  }
  // Another tool's shape: the verdict under another key.
  await writeFile(join(logDir, 'other-model', 'coop', 'a_task', '1', 'f1_f2', 'eval.json'), JSON.stringify({ passed: true }))
  report = await reportRuns({ runNames: ['solo-run', 'coop-run', 'other-model'], logDir })
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

describe('every section in every format', () => {
  it('renders each table that every format shows (no format has a form of its own of it), in text, Markdown, LaTeX and CSV alike', () => {
    const tables = tableSections(report).filter((s) => s.only === undefined)
    expect(tables.map((s) => s.id)).toEqual(['not_compared', 'timing', 'eval_errors', 'unreadable'])
    const [text, md, latex, csv] = (['text', 'md', 'latex', 'csv'] as const).map((format) => renderReport(report, format))
    for (const s of tables) {
      expect(text, s.id).toContain(`\n${s.title.charAt(0).toLowerCase()}${s.title.slice(1)}:\n`)
      expect(md, s.id).toContain(`\n**${s.title}**: `)
      expect(latex, s.id).toContain(`\\label{tab:cooperbench-${s.id.replaceAll('_', '-')}}`)
      expect(csv, s.id).toMatch(new RegExp(`^[^\\r\\n]*,${s.id},`, 'm'))
    }
  })

  it('lists the runs not compared and the unreadable files in Markdown, LaTeX and CSV too, as text always did', () => {
    expect(renderReport(report, 'md')).toContain('| solo-run vs other-model | solo-coop | 2 | model: "m" → "other" |')
    expect(renderReport(report, 'latex')).toContain('\nsolo-run vs other-model & solo-coop & 2 & model: "m" $\\rightarrow$ "other" \\\\\n')
    const problem = report.unreadable[0]!.problem
    expect(renderReport(report, 'md')).toContain('**Unreadable: 1 file(s) of 1 pair(s), left out of every count above (not failed, not running)**')
    expect(renderReport(report, 'csv').split('\r\n')).toContain(`other-model,,,,,unreadable,,,,,,,,,,,,,,,,,,,,,,,,,,"${problem.replaceAll('"', '""')}"`)
  })
})
