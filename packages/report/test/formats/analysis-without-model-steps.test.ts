import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeRun } from '../../src/analysis/analyze-run.js'
import { type AnalysisRecord, summarise } from '../../src/analysis/analysis-file.js'
import { renderReport } from '../../src/formats/index.js'
import type { RunReport } from '../../src/model/report.js'
import { reportRuns } from '../../src/readers/read-report.js'
import { writeRun } from '../support/pair-folders.js'

/** A coop run whose agents took no model steps (the oracle applies the gold patches): no trajectories. */
let logDir: string
let analysis: AnalysisRecord
let report: RunReport

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-report-no-steps-'))
  await writeRun(join(logDir, 'oracle-run'), [
    { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: { status: 'clean', strategy: 'naive' } },
    { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'fail', merge: { status: 'conflicts', strategy: 'union' } },
  ])
  // A judge, so that LaTeX has its categories table (the signals are its last rows).
  const judgeModel = async () => ({
    toolArguments: JSON.stringify({ category: 'no_coordination_failure', reason: 'r', evidence: [{ source: 'tests', quote: 'x' }] }),
    text: '',
  })
  analysis = await analyzeRun({ runName: 'oracle-run', logDir, judgeModel })
  report = await reportRuns({ runNames: ['oracle-run'], logDir })
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

describe('the messaging share of a run without model steps', () => {
  it('is not a number in analysis.json, for each pair and in the summary', () => {
    for (const pair of analysis.pairs) expect(pair.signals).toMatchObject({ messaging_step_share: null, messaging_token_share: null })
    expect(analysis.summary.signals).toMatchObject({ messaging_step_share: null, messaging_token_share: null })
  })

  it('reads n/a in text and Markdown, -- in LaTeX and an empty cell in CSV, never 0.0%', () => {
    const text = renderReport(report, 'text')
    expect(text).toMatch(/^ {2}signals \(no model\): 0\.00 messages per pair, steps on messaging n\/a \(no model steps\), 0\.00 unanswered/m)
    expect(renderReport(report, 'md')).toContain('Signals (no model): 0.00 messages per pair, steps on messaging n/a (no model steps),')
    expect(renderReport(report, 'latex')).toContain('Steps on messaging (\\%) & -- \\\\')
    const csv = renderReport(report, 'csv').split('\r\n')
    expect(csv).toContain('oracle-run,,,coop,,analysis_signal,,2,,,,,,,,,,,,,,,,,,,,messaging_step_share,,,,')
    for (const format of ['text', 'md', 'latex'] as const) expect(renderReport(report, format)).not.toMatch(/0\.0\\?% of steps|messaging \(\\%\) & 0\.0/)
  })
})

describe('the summary of a run where only some pairs took model steps', () => {
  it('averages the messaging share over the pairs that have one', () => {
    const [withoutSteps] = analysis.pairs
    const withSteps = {
      ...withoutSteps!,
      outcome: 'passed' as const,
      signals: { ...withoutSteps!.signals, messaging_step_share: 0.5, messaging_token_share: 0.25 },
    }
    expect(summarise([withoutSteps!, withSteps]).signals).toMatchObject({ messaging_step_share: 0.5, messaging_token_share: 0.25 })
  })
})
