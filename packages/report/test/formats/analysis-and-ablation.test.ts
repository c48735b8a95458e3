import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunReport } from '../../src/model/report.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyzeRun } from '../../src/analysis/analyze-run.js'
import { reportRuns } from '../../src/readers/read-report.js'
import { renderReport } from '../../src/formats/index.js'
import { writeRun } from '../support/pair-folders.js'

let logDir: string
let result: RunReport

const clean = { status: 'clean', strategy: 'naive' } as const
const conflicts = { status: 'conflicts', strategy: 'union' } as const

function fingerprint(messaging: boolean, git = false) {
  return {
    setting: 'coop',
    agent: 'oracle',
    model: 'm',
    messaging_enabled: messaging,
    git_enabled: git,
    agent_config_digest: null,
    prompt_profile: 'cooperbench-v1',
    limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
    harness_version: '0.1.0',
  }
}

/** Two assistant steps, one of them sending a message: half the steps on messaging. */
const HALF_MESSAGING = {
  messages: [
    { role: 'assistant', content: 'tell the partner', extra: { actions: [{ command: 'send_message agent2 "I will edit slug.py"' }] } },
    { role: 'assistant', content: 'work', extra: { actions: [{ command: 'sed -i s/a/b/ slug.py' }] } },
  ],
}

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-report-analysis-'))
  await writeRun(join(logDir, 'msg'), [
    { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: clean },
    { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'fail', merge: conflicts },
    { setting: 'coop', repo: 'a_task', features: [2, 3], verdict: 'fail', merge: clean },
  ])
  for (const [pair, agent] of [
    ['f1_f2', 1],
    ['f1_f3', 1],
    ['f2_f3', 2],
  ] as const) {
    await writeFile(join(logDir, 'msg', 'coop', 'a_task', '1', pair, `agent${agent}_traj.json`), JSON.stringify(HALF_MESSAGING))
  }
  await writeFile(join(logDir, 'msg', 'config.json'), JSON.stringify({ fingerprints: { coop: { value: fingerprint(true), hash: 'a' } } }))
  await writeRun(join(logDir, 'silent'), [
    { setting: 'coop', repo: 'a_task', features: [1, 2], verdict: 'pass', merge: conflicts },
    { setting: 'coop', repo: 'a_task', features: [1, 3], verdict: 'fail', merge: conflicts },
    { setting: 'coop', repo: 'a_task', features: [2, 3], verdict: 'fail', merge: conflicts },
  ])
  await writeFile(join(logDir, 'silent', 'config.json'), JSON.stringify({ fingerprints: { coop: { value: fingerprint(false), hash: 'b' } } }))
  // The real analyze, with a judge that names one category for every failed pair.
  await analyzeRun({
    runName: 'msg',
    logDir,
    judgeModel: async () => ({
      toolArguments: JSON.stringify({ category: 'communication', reason: 'nobody answered', evidence: [{ source: 'conversation', quote: 'Features' }] }),
      text: '',
    }),
  })
  result = await reportRuns({ runNames: ['msg', 'silent'], logDir })
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

describe('report with an analysis and a communication ablation', () => {
  it('reads analysis.json: the category shares with their intervals and the signals beside them', () => {
    expect(result.analyses).toHaveLength(1)
    const [a] = result.analyses
    expect(a).toMatchObject({ run: 'msg', pairsAnalyzed: 3, coopPairs: 3, failed: 2, judged: 2, judge: { model: 'custom' } })
    expect(a!.categories.find((c) => c.category === 'communication')).toMatchObject({ count: 2, share: 1 })
    expect(a!.signals.messaging_step_share).toBe(0.5)
  })

  it('text: the categories table and the signals line, then the runs side by side', () => {
    const text = renderReport(result, 'text')
    expect(text).toMatch(/^failure analysis \(msg\): 3 of 3 coop pairs analysed; judge custom \(taxonomy-v1\), 2 of 2 failed pairs judged/m)
    expect(text).toMatch(/^ {2}communication +2 +100\.0% +\[34\.2%, 100\.0%\]$/m)
    expect(text).toMatch(/^ {2}expectation +0 +0\.0% +\[0\.0%, 65\.8%\]$/m)
    expect(text).toMatch(/^ {2}signals \(no model\): 0\.00 messages per pair, 50\.0% of steps on messaging/m)
    expect(text).toMatch(/^communication ablation \(3 pairs judged in every run\):$/m)
    expect(text).toMatch(/^ {2}msg +messaging +1\/3 +33\.3% +\[6\.1%, 79\.2%\] +1\/3 +33\.3% +\[6\.1%, 79\.2%\] +50\.0% \(3 pairs\)$/m)
    expect(text).toMatch(/^ {2}silent +no messaging +1\/3 +33\.3% +\[6\.1%, 79\.2%\] +3\/3 +100\.0% +\[43\.9%, 100\.0%\] +unknown \(no analysis\.json\)$/m)
  })

  it('md, csv and latex carry the same numbers', () => {
    const md = renderReport(result, 'md')
    expect(md).toContain('| communication | 2 | 100.0% | [34.2%, 100.0%] |')
    expect(md).toContain('| silent | no messaging | 33.3% (1/3) | [6.1%, 79.2%] | 100.0% (3/3) | [43.9%, 100.0%] | unknown (no analysis.json) |')
    const csv = renderReport(result, 'csv').split('\r\n')
    expect(csv).toContain('msg,,,coop,,failure_category,,2,,,,,1,0.34238,1,,,,,,,,,,,,,communication,2,,,judge custom (taxonomy-v1)')
    expect(csv).toContain('msg,,,coop,,analysis_signal,,3,,,,,,,,,,,,,,,,,,,,messaging_step_share,,0.5,,')
    expect(csv).toContain('silent,,,coop,2,ablation_conflicts,,3,,,,,1,0.438503,1,,,,,,,,,0,,,,,3,,no messaging,ablation 1')
    const latex = renderReport(result, 'latex')
    expect(latex).toContain('communication & 100.0 [34.2, 100.0] (2) \\\\')
    expect(latex).toContain('silent & no messaging & 33.3 & [6.1, 79.2] & 100.0 & [43.9, 100.0] & -- \\\\')
  })

  it('refuses a corrupt analysis.json instead of reporting the run without it', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'cb-report-bad-analysis-'))
    try {
      await writeRun(join(copy, 'msg'), [{ setting: 'coop', repo: 'a_task', verdict: 'fail', merge: clean }])
      await writeFile(join(copy, 'msg', 'analysis.json'), '{"pairs": [')
      await expect(reportRuns({ runNames: ['msg'], logDir: copy })).rejects.toMatchObject({
        code: 'FILESYSTEM',
        hint: expect.stringContaining('cooperbench analyze -n msg --force'),
      })
    } finally {
      await rm(copy, { recursive: true, force: true })
    }
  })
})
