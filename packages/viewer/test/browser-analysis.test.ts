import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportViewer } from '../src/index.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'
import { pairId } from '../src/pair-summary.js'
import { writeCoopRun, writeSoloRun } from './support/written-runs.js'

/**
 * The overview's failure analysis and communication ablation in a real browser, on run folders
 * written by hand (no agent runs): a messaging run with analysis.json, its --no-messaging and
 * --git twins, and a --no-messaging run of another model that must not join them.
 */
let logDir: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-analysis-'))
  const tasks = (passes: boolean[], conflicts: boolean[]) => passes.map((pass, i) => ({ task: i + 1, pass, conflict: conflicts[i] }))
  await writeCoopRun(logDir, {
    name: 'msg',
    messaging: true,
    analysis: true,
    prompt: 'You are agent zero of the bench.',
    pairs: tasks([true, false, false, true], [false, true, false, false]),
  })
  await writeCoopRun(logDir, { name: 'silent', messaging: false, pairs: tasks([true, false, false, false], [true, true, true, false]) })
  await writeCoopRun(logDir, { name: 'git', messaging: true, git: true, pairs: tasks([true, true, false, false], [false, false, false, false]) })
  await writeSoloRun(logDir, 'solo', [{ task: 2, pass: true }])
  await writeCoopRun(logDir, { name: 'other-model', messaging: false, model: 'gpt-4o', pairs: tasks([true, true, true, true], [false, false, false, false]) })
  opened = await openViewerPage(logDir, { width: 1400, height: 900 })
}, 180_000)

afterAll(() => opened?.close())

describe('the viewer with analysis.json, ablation runs and a solo run', () => {
  it('shows the failure categories with intervals and signals, and the ablation of the three matching runs only', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/`)
    await opened.page.locator('section.ablations').waitFor()
    const analysis = await opened.page.locator('.run-analysis[data-run=msg]').innerText()
    expect(analysis).toContain('4 of 4 coop pairs analysed · judge judge-model (taxonomy-v1): 2 of 2 failed pairs judged')
    // 2 of 2 failed pairs are communication: 100% [34.2%, 100.0%].
    expect(analysis).toContain('100.0% (2/2) [34.2%, 100.0%]')
    expect(analysis).toMatch(/steps on messaging\s+33\.3%/)
    const table = opened.page.locator('table.ablation-table')
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')))).toEqual(['git', 'msg', 'silent'])
    expect(await table.locator('tr[data-run=silent]').innerText()).toMatch(
      /no messaging\s+25\.0% \(1\/4\)\s+\[4\.6%, 69\.9%\]\s+75\.0% \(3\/4\)\s+\[30\.1%, 95\.4%\]\s+unknown/,
    )
    expect(await table.locator('tr[data-run=msg]').innerText()).toMatch(/messaging\s+50\.0% \(2\/4\).*25\.0% \(1\/4\).*33\.3% \(4 pairs\)/s)
    expect(await opened.page.locator('section.ablations .refused').allInnerTexts()).toContain('Not compared: git vs other-model: model: "gpt-5" → "gpt-4o"')
    expect(opened.errors).toEqual([])
  })

  it('a category share opens the failed pairs of that category, with their category in the list', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/`)
    await opened.page.locator('.run-analysis[data-run=msg] svg.rate-chart a.chart-link[href*="category=communication"] text.value').click()
    await opened.page.waitForURL(/category=communication/)
    await opened.page.getByText('2 of ').waitFor()
    expect(await opened.page.locator('table.pairs tbody td.category').allInnerTexts()).toEqual(['communication', 'communication'])
    expect(await opened.page.locator('select[name=category]').inputValue()).toBe('communication')
    expect(opened.errors).toEqual([])
  })

  it("pair page: the failure category with its evidence, each agent's system prompt and task, a link to the same pair solo", async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, join(logDir, 'msg', 'coop', 'textkit_task', '2', 'f1_f2'))}`)
    await opened.page.locator('.pair-analysis').waitFor()
    expect(await opened.page.locator('.pair-analysis .badge.category').innerText()).toBe('communication')
    expect(await opened.page.locator('.pair-analysis').innerText()).toContain('agent2 never said which lines it changed')
    expect(await opened.page.locator('ul.evidence li.found q').allInnerTexts()).toEqual(['ok, I keep out of slug.py'])
    await opened.page.locator('details.prompt[data-lane=agent1] summary').click()
    expect(await opened.page.locator('details.prompt[data-lane=agent1] .system-prompt').innerText()).toBe('You are agent zero of the bench.')
    expect(await opened.page.locator('details.prompt[data-lane=agent1] .task').innerText()).toContain('You are **agent1**. Your teammate is **agent2**.')
    const raw = await opened.page.locator('details.prompt[data-lane=agent2] a.raw-trajectory').getAttribute('href')
    const served = await (await fetch(new URL(raw!, opened.viewer.url))).json()
    expect(served).toMatchObject({ agent_id: 'agent2', steps: 3 })
    // Only trajectories are served: no other file of the log dir, whatever the name.
    expect((await fetch(new URL(raw!.replace('agent2_traj.json', 'eval.json'), opened.viewer.url))).status).toBe(404)
    // The solo run compares with this one (same agent and model): its verdict is on the link.
    expect(await opened.page.locator('a.solo-twin').allInnerTexts()).toEqual([expect.stringMatching(/^solo \(solo\)\s+passed$/)])
    await opened.page.locator('a.solo-twin', { hasText: 'solo (solo)' }).click()
    await opened.page.locator('details.prompt[data-lane=solo]').waitFor()
    expect(await opened.page.locator('.pair-head h2').innerText()).toBe('textkit_task/2 f1_f2')
    expect(await opened.page.locator('.pair-meta').innerText()).toContain('solo')
    expect(opened.errors).toEqual([])
  })

  it("overview: a run's configuration panel with its fingerprint fields", async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/`)
    const panel = opened.page.locator('details.run-config[data-run=silent]')
    await panel.locator('summary').click()
    const rows = await panel.locator('table.fingerprint[data-setting=coop]').innerText()
    expect(rows).toMatch(/messaging_enabled\s+false/)
    expect(rows).toMatch(/limits\.step_limit\s+100/)
    expect(await panel.locator('.dataset-source').innerText()).toContain('no commit recorded')
    expect(opened.errors).toEqual([])
  })

  it("an export carries each pair's raw trajectories beside its data", async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const exported = await exportViewer({ logDir, runs: ['msg'], outDir: join(logDir, '..', `${logDir.split('/').pop()}-export`) })
    try {
      const id = pairId(logDir, join(logDir, 'msg', 'coop', 'textkit_task', '2', 'f1_f2'))
      const copied = JSON.parse(await readFile(join(exported.dir, 'data', 'pairs', id, 'agent1_traj.json'), 'utf8'))
      expect(copied).toMatchObject({ agent_id: 'agent1' })
    } finally {
      await rm(exported.dir, { recursive: true, force: true })
    }
  })
})
