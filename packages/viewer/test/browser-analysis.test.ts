import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportViewer, type RunningViewer, startViewer } from '../src/index.js'
import { CHROMIUM } from './support/requirements.js'
import { pairId } from '../src/pair-summary.js'
import { writeCoopRun, writeSoloRun } from './support/written-runs.js'
import { existsSync } from 'node:fs'

/**
 * The overview's failure analysis and communication ablation in a real browser, on run folders
 * written by hand (no agent runs): a messaging run with analysis.json, its --no-messaging and
 * --git twins, and a --no-messaging run of another model that must not join them.
 */
const problem = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`
let logDir: string
let browser: Browser
let viewer: RunningViewer
let page: Page
const errors: string[] = []

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-analysis-'))
  const tasks = (passes: boolean[], conflicts: boolean[]) => passes.map((pass, i) => ({ task: i + 1, pass, conflict: conflicts[i] }))
  await writeCoopRun(logDir, { name: 'msg', messaging: true, analysis: true, prompt: 'You are agent zero of the bench.', pairs: tasks([true, false, false, true], [false, true, false, false]) })
  await writeCoopRun(logDir, { name: 'silent', messaging: false, pairs: tasks([true, false, false, false], [true, true, true, false]) })
  await writeCoopRun(logDir, { name: 'git', messaging: true, git: true, pairs: tasks([true, true, false, false], [false, false, false, false]) })
  await writeSoloRun(logDir, 'solo', [{ task: 2, pass: true }])
  await writeCoopRun(logDir, { name: 'other-model', messaging: false, model: 'gpt-4o', pairs: tasks([true, true, true, true], [false, false, false, false]) })
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  viewer = await startViewer({ logDir, port: 0 })
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
}, 60_000)

afterAll(async () => {
  await viewer?.close()
  await browser?.close()
  if (logDir) await rm(logDir, { recursive: true, force: true })
})

describe('the viewer with analysis.json, ablation runs and a solo run', () => {
  it('shows the failure categories with intervals and signals, and the ablation of the three matching runs only', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await page.goto(`${viewer.url}#/`)
    await page.locator('section.ablations').waitFor()
    const analysis = await page.locator('.run-analysis[data-run=msg]').innerText()
    expect(analysis).toContain('4 of 4 coop pairs analysed · judge judge-model (taxonomy-v1): 2 of 2 failed pairs judged')
    // 2 of 2 failed pairs are communication: 100% [34.2%, 100.0%].
    expect(analysis).toContain('100.0% (2/2) [34.2%, 100.0%]')
    expect(analysis).toMatch(/steps on messaging\s+33\.3%/)
    const table = page.locator('table.ablation-table')
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')))).toEqual(['git', 'msg', 'silent'])
    expect(await table.locator('tr[data-run=silent]').innerText()).toMatch(/no messaging\s+25\.0% \(1\/4\)\s+\[4\.6%, 69\.9%\]\s+75\.0% \(3\/4\)\s+\[30\.1%, 95\.4%\]\s+unknown/)
    expect(await table.locator('tr[data-run=msg]').innerText()).toMatch(/messaging\s+50\.0% \(2\/4\).*25\.0% \(1\/4\).*33\.3% \(4 pairs\)/s)
    expect(await page.locator('section.ablations .refused').allInnerTexts()).toContain('Not compared: git vs other-model: model: "gpt-5" → "gpt-4o"')
    expect(errors).toEqual([])
  })

  it('pair page: the failure category with its evidence, each agent\'s system prompt and task, a link to the same pair solo', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await page.goto(`${viewer.url}#/pair/${pairId(logDir, join(logDir, 'msg', 'coop', 'textkit_task', '2', 'f1_f2'))}`)
    await page.locator('.pair-analysis').waitFor()
    expect(await page.locator('.pair-analysis .badge.category').innerText()).toBe('communication')
    expect(await page.locator('.pair-analysis').innerText()).toContain('agent2 never said which lines it changed')
    expect(await page.locator('ul.evidence li.found q').allInnerTexts()).toEqual(['ok, I keep out of slug.py'])
    await page.locator('details.prompt[data-lane=agent1] summary').click()
    expect(await page.locator('details.prompt[data-lane=agent1] .system-prompt').innerText()).toBe('You are agent zero of the bench.')
    expect(await page.locator('details.prompt[data-lane=agent1] .task').innerText()).toContain('You are **agent1**. Your teammate is **agent2**.')
    const raw = await page.locator('details.prompt[data-lane=agent2] a.raw-trajectory').getAttribute('href')
    const served = await (await fetch(new URL(raw!, viewer.url))).json()
    expect(served).toMatchObject({ agent_id: 'agent2', steps: 3 })
    // Only trajectories are served: no other file of the log dir, whatever the name.
    expect((await fetch(new URL(raw!.replace('agent2_traj.json', 'eval.json'), viewer.url))).status).toBe(404)
    await page.locator('a.solo-twin', { hasText: 'this pair solo (solo)' }).click()
    await page.locator('details.prompt[data-lane=solo]').waitFor()
    expect(await page.locator('.pair-head h2').innerText()).toBe('textkit_task/2 f1_f2')
    expect(await page.locator('.pair-meta').innerText()).toContain('solo')
    expect(errors).toEqual([])
  })

  it('overview: a run\'s configuration panel with its fingerprint fields', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await page.goto(`${viewer.url}#/`)
    const panel = page.locator('details.run-config[data-run=silent]')
    await panel.locator('summary').click()
    const rows = await panel.locator('table.fingerprint[data-setting=coop]').innerText()
    expect(rows).toMatch(/messaging_enabled\s+false/)
    expect(rows).toMatch(/limits\.step_limit\s+100/)
    expect(await panel.locator('.dataset-source').innerText()).toContain('no commit recorded')
    expect(errors).toEqual([])
  })

  it('an export carries each pair\'s raw trajectories beside its data', async (ctx) => {
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
