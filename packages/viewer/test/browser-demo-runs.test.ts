import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellText, PLAIN_CELLS } from '@cooperbench/spec-utils/report'
import type { ReportSection } from '@cooperbench/spec/report'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { pairId } from '../src/pair-summary.js'
import { cli, REPO_ROOT } from './support/fixture-runs.js'
import { missingForBrowserTests, requireOrSkip } from './support/requirements.js'
import { openViewerPage, type ViewerPage } from './support/viewer-page.js'

/**
 * What a reader of the demo sees: `cooperbench dev model-server`'s model (the gold patches, one
 * question asked with `send_message --wait` and answered) on a conflicting demo pair, run by the
 * real CLI as coop, team and solo under run names as long as users give, then read in Chromium.
 */
const problem = missingForBrowserTests()
const PAIR = { repo: 'textkit_task', task: '7', features: '1,2' }
const RUNS = {
  solo: 'a-rather-long-solo-run-name-as-a-user-gives-it-with-the-model',
  coop: 'a-rather-long-coop-run-name-as-a-user-gives-it-with-the-model',
  team: 'a-rather-long-team-run-name-as-a-user-gives-it-with-the-model',
}
let root: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  root = await mkdtemp(join(tmpdir(), 'cb-viewer-demo-'))
  const server = await startScriptedLlmServer({ script: await goldDatasetScript(join(REPO_ROOT, 'dataset')) })
  try {
    const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--dataset-dir', join(REPO_ROOT, 'dataset')]
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    await Promise.all(
      Object.entries(RUNS).map(([setting, name]) =>
        cli(root, ['run', '-r', PAIR.repo, '-t', PAIR.task, '-f', PAIR.features, '--setting', setting, '-n', name, ...model], env),
      ),
    )
  } finally {
    await server.close()
  }
  opened = await openViewerPage(join(root, 'logs'), { width: 1280, height: 900 })
}, 300_000)

afterAll(async () => {
  await opened?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

const pairPage = (setting: keyof typeof RUNS) =>
  `${opened.viewer.url}#/pair/${pairId(join(root, 'logs'), join(root, 'logs', RUNS[setting], setting, PAIR.repo, PAIR.task, 'f1_f2'))}`

describe('the demo runs in the page', () => {
  it('draws every chart text whole: the run names at the left of the rate, deficit, merge and cost charts, the merge counts at the right', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/`)
    await page.locator('svg.deficit-chart').waitFor()
    // Each text's box against its chart's: a fixed label column cut long names at the chart's left edge.
    const cut = await page.locator('svg.chart').evaluateAll((charts) =>
      charts.flatMap((chart) => {
        const box = chart.getBoundingClientRect()
        return [...chart.querySelectorAll('text')]
          .filter((t) => t.getBoundingClientRect().left < box.left - 0.5 || t.getBoundingClientRect().right > box.right + 0.5)
          .map((t) => `${chart.getAttribute('aria-label')}: ${t.textContent}`)
      }),
    )
    expect(cut).toEqual([])
    expect(await page.locator('svg.deficit-chart .deficit-row text.label').allTextContents()).toEqual([
      RUNS.solo,
      `vs ${RUNS.coop}`,
      RUNS.solo,
      `vs ${RUNS.team}`,
    ])
    expect(await page.locator('svg.stacked-chart text.value').allTextContents()).toEqual([
      '0 clean · 0 union · 1 agent1 alone · 0 failed · 0 eval error',
      '0 clean · 0 union · 1 agent1 alone · 0 failed · 0 eval error',
    ])
    expect(opened.errors).toEqual([])
  })

  it("counts the reply a `send_message --wait` took as read, where the asker's step shows it", async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page } = opened
    await page.goto(pairPage('coop'))
    await page.locator('table.messages').waitFor()
    expect(await page.locator('table.messages tbody tr td:first-child').allInnerTexts()).toEqual(['agent1 → agent2', 'agent2 → agent1'])
    expect(await page.locator('table.messages tr.unread').count()).toBe(0)
    expect(await page.locator('.timeline .message').count()).toBe(2)
    expect(await page.locator('.timeline .message.unread').count()).toBe(0)
    // The asker's step with the wait, then the reply it read there.
    const asker = page.locator('.step-column[data-lane="agent1"]')
    expect(await asker.locator('.incoming-message[data-from="agent2"] .incoming-text').innerText()).toMatch(/^Thanks agent1\./)
    expect(opened.errors).toEqual([])
  })

  it("shows the team runs table of `cooperbench report` on the overview, from the team setting's own report sections", async (ctx) => {
    requireOrSkip(problem, ctx)
    const printed = JSON.parse(await cli(root, ['report', '-n', RUNS.solo, '-n', RUNS.team, '--json'])) as { settingSections: ReportSection[] }
    const teamRuns = printed.settingSections.find((s) => s.id === 'team_run')!
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/`)
    const table = page.locator('section[data-section="team_run"] table')
    await table.waitFor()
    expect(await table.locator('thead th').allInnerTexts()).toContain('tasks done')
    expect(await table.locator('tbody td').allInnerTexts()).toEqual(teamRuns.rows[0]!.map((cell) => cellText(cell, PLAIN_CELLS)))
    expect(teamRuns.rows[0]!.map((cell) => cellText(cell, PLAIN_CELLS)).slice(0, 3)).toEqual([RUNS.team, '2', 'agent1'])
  })

  it("titles the patch a conflicted merge left to be tested as agent1's alone, passed (solo-agent1) or not", async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page } = opened
    for (const setting of ['team', 'coop'] as const) {
      await page.goto(pairPage(setting))
      const fold = page.locator('details.merged-diff summary')
      await fold.waitFor()
      expect(await fold.innerText()).toBe("agent1's patch alone, as tested: no merge (1 file; test files filtered)")
    }
    expect(await page.locator('.merge strong').innerText()).toBe('conflicts (strategy: naive)')
    expect(opened.errors).toEqual([])
  })
})
