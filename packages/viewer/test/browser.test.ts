import { cp, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, OpenPages } from './support/viewer-page.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { scanRun } from '@cooperbench/results'
import { buildReport, readRunFingerprints } from '@cooperbench/report'
import { exportViewer, type RunningViewer, startViewer } from '../src/index.js'
import { FIXTURE, type FixtureRuns, makeFixtureRuns } from './support/fixture-runs.js'
import { missingForBrowserTests, requireOrSkip } from './support/requirements.js'

/**
 * The viewer in a real browser (Debian's chromium through playwright-core) on real runs: the
 * served app (overview, pair list, pair page, a run appearing while the page is open) and an
 * exported bundle opened from file://. Every page must log no console error. Screenshots go to
 * test/artifacts/.
 */
const problem = missingForBrowserTests()
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url))
let fixture: FixtureRuns
let browser: Browser
let viewer: RunningViewer
const pages = new OpenPages()

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  await mkdir(ARTIFACTS, { recursive: true })
  ;[fixture, browser] = await Promise.all([makeFixtureRuns(), launchChromium()])
  viewer = await startViewer({ logDir: fixture.logs, port: 0, pollMs: 500 })
}, 180_000)

afterAll(async () => {
  await viewer?.close()
  await browser?.close()
  await fixture?.remove()
})

/** A fresh page whose console errors and uncaught exceptions are collected (checked after each test). */
async function openPage(url: string): Promise<Page> {
  return (await pages.open(browser, url, 1400)).page
}

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([])
})

const pct = (x: number) => `${(x * 100).toFixed(1)}%`

describe('served', () => {
  it('overview: pass rates, the relative deficit of the matching runs with its paired interval and agreement table, the mismatched run greyed out', async (ctx) => {
    requireOrSkip(problem, ctx)
    // The expected numbers, from core directly, for the three runs of the log dir the page shows.
    const runs = [FIXTURE.soloRun, FIXTURE.coopRun, FIXTURE.teamRun]
    const report = buildReport(
      await Promise.all(
        runs.map(async (name) => ({ name, pairs: await scanRun(join(fixture.logs, name)), fingerprints: await readRunFingerprints(join(fixture.logs, name)) })),
      ),
    )
    const solo = report.settings.find((r) => r.runs[0] === FIXTURE.soloRun)
    const coop = report.settings.find((r) => r.runs[0] === FIXTURE.coopRun)
    // Oracle solo vs mini-SWE coop is not a deficit: only the oracle pair is compared.
    expect(report.deficits.map((d) => [d.soloRun, d.coopRun])).toEqual([[FIXTURE.soloRun, FIXTURE.coopRun]])
    expect(report.refused.map((r) => [r.soloRun, r.coopRun])).toEqual([[FIXTURE.soloRun, FIXTURE.teamRun]])
    const deficit = report.deficits[0]!
    const page = await openPage(`${viewer.url}#/`)
    await page.getByText(`Relative deficit ${FIXTURE.soloRun} vs ${FIXTURE.coopRun}:`).waitFor()
    const text = await page.locator('main').innerText()
    expect(text).toContain(`${pct(solo!.rate!)} (${solo!.passed}/${solo!.passed + solo!.failed}) [${pct(solo!.ci!.low)}, ${pct(solo!.ci!.high)}]`)
    expect(text).toContain(`${pct(coop!.rate!)} (${coop!.passed}/${coop!.passed + coop!.failed}) [${pct(coop!.ci!.low)}, ${pct(coop!.ci!.high)}]`)
    const points = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}`
    expect(text).toContain(
      `Relative deficit ${FIXTURE.soloRun} vs ${FIXTURE.coopRun}: ${pct(deficit.relative.value!)}, 95% CI [${pct(deficit.relative.low!)}, ${pct(deficit.relative.high!)}]` +
        ` · difference ${points(deficit.difference)} points, 95% CI [${points(deficit.low)}, ${points(deficit.high)}]`,
    )
    expect(await page.locator('details.refused-list').textContent()).toMatch(
      new RegExp(`${FIXTURE.soloRun} \\(solo\\) vs ${FIXTURE.teamRun} \\(coop\\)agent: "oracle" → "mini_swe_agent"`),
    )
    const a = deficit.agreement
    expect(await page.locator('table.agreement tbody').innerText()).toMatch(
      new RegExp(`solo passed\\s+${a.bothPass}\\s+${a.soloOnly}\\s+solo failed\\s+${a.coopOnly}\\s+${a.neither}`),
    )
    expect(text).toContain(`strict: solo ${pct(deficit.strict.solo)}, coop ${pct(deficit.strict.coop)}`)
    expect(text).toContain(`Pass rate by merge outcome, ${FIXTURE.coopRun}: clean ${coop!.byMerge[0]!.passed}/${coop!.byMerge[0]!.pairs}`)
    // Charts, not only text: one bar per run and setting with a whisker, a deficit row (the refused one folded below), per-repo groups, merge segments.
    expect(await page.locator('svg.rate-chart').first().locator('.bar-row').count()).toBe(3)
    expect(await page.locator('svg.rate-chart').first().locator('.whisker').count()).toBe(3)
    expect(await page.locator('svg.deficit-chart .deficit-row').count()).toBe(1)
    expect(await page.locator('svg.rate-chart .group-heading').allTextContents()).toEqual(['confkit_task', 'textkit_task'])
    expect(await page.locator('svg.stacked-chart').first().textContent()).toContain(`${coop!.merge.clean} clean · ${coop!.merge.conflicts} union`)
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true })
  })

  it('pair list: filters by merge outcome and messages, sorts by cost', async (ctx) => {
    requireOrSkip(problem, ctx)
    const page = await openPage(`${viewer.url}#/pairs`)
    await page.getByText('13 of 13 pairs').waitFor()
    await page.selectOption('select[name=messages]', 'some')
    await page.getByText('1 of 13 pairs').waitFor()
    expect(await page.locator('table.pairs tbody tr').first().innerText()).toContain(FIXTURE.teamRun)
    await page.selectOption('select[name=messages]', '')
    await page.selectOption('select[name=setting]', 'coop')
    await page.selectOption('select[name=merge]', 'union')
    const unions = await page.locator('table.pairs tbody tr').count()
    expect(unions).toBeGreaterThan(0)
    expect(await page.locator('table.pairs tbody tr .merge-union').count()).toBe(unions)
    await page.selectOption('select[name=merge]', '')
    await page.selectOption('select[name=sort]', 'cost-desc')
    expect(await page.locator('table.pairs tbody tr').first().innerText()).toContain(FIXTURE.teamRun)
    expect(page.url()).toContain('sort=cost-desc')
    await page.screenshot({ path: join(ARTIFACTS, 'pair-list.png'), fullPage: true })
  })

  it('pair page of a coop pair with messages and a merge conflict: lanes, steps, messages, git marks, patches, merge, failing tests', async (ctx) => {
    requireOrSkip(problem, ctx)
    const page = await openPage(`${viewer.url}#/pairs?run=${FIXTURE.teamRun}`)
    await page.locator('table.pairs tbody a').first().click()
    await page.locator('.timeline .lane').first().waitFor()
    expect(await page.locator('.timeline .lane').evaluateAll((lanes) => lanes.map((l) => l.getAttribute('data-lane')))).toEqual(['agent1', 'agent2'])
    expect(await page.locator('.timeline .lane[data-lane=agent1] .step').count()).toBe(6)
    expect(await page.locator('.timeline .message').count()).toBe(2)
    expect(await page.locator('.timeline .message.unread').count()).toBe(0)
    expect(await page.locator('.timeline .git-mark text').allTextContents()).toEqual(['push', 'fetch', 'push', 'fetch'])
    expect(await page.locator('table.messages').innerText()).toContain('agent1 here: I am implementing feature 1')
    // A step block opens its card with the whole output.
    await page.locator('.timeline .lane[data-lane=agent2] .step').nth(1).click()
    const card = page.locator('.step-column[data-lane=agent2] .step-card.selected')
    // The card is selected in one render and opened in the next (StepCard's effect): wait for the open one.
    await expect.poll(() => card.locator('button.expand').innerText()).toBe('show less')
    expect(await card.locator('.step-output').innerText()).toContain('def slugify')
    // Patches side by side, the file both touched highlighted; the merge with its conflict; failing tests first.
    expect(await page.locator('.patch-column').count()).toBe(2)
    expect(await page.locator('.patch-column .patch-file.shared[data-path="textkit/slug.py"]').count()).toBe(2)
    expect(await page.locator('.patch-column .diff .hot').count()).toBeGreaterThan(0)
    expect(await page.locator('.merge').innerText()).toContain('conflicts (strategy: union)')
    expect(await page.locator('.merge .conflict').first().innerText()).toMatch(/textkit\/slug\.py: agent1 changes lines? \d+/)
    expect(await page.locator('.feature-tests').first().getAttribute('class')).toContain('failed')
    expect(await page.locator('.feature-tests .failing').first().innerText()).toContain('tests/test_slug.py ERROR')
    await page.screenshot({ path: join(ARTIFACTS, 'pair-page.png'), fullPage: true })
  })

  it('a run that starts while the page is open appears without a reload', async (ctx) => {
    requireOrSkip(problem, ctx)
    const page = await openPage(`${viewer.url}#/`)
    await page.locator('.run-card').nth(2).waitFor()
    const source = join(fixture.logs, FIXTURE.teamRun, 'coop', FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2')
    const live = join(fixture.logs, 'live-run', 'coop', FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2')
    try {
      await mkdir(live, { recursive: true })
      await cp(join(source, 'agent1_traj.json'), join(live, 'agent1_traj.json'))
      const card = page.locator('.run-card', { hasText: 'live-run' })
      await card.waitFor()
      expect(await card.innerText()).toContain('1 running')
    } finally {
      await rm(join(fixture.logs, 'live-run'), { recursive: true, force: true })
    }
  })
})

describe('exported', () => {
  it('opens from file:// and renders the overview and a pair page', async (ctx) => {
    requireOrSkip(problem, ctx)
    const exported = await exportViewer({ logDir: fixture.logs, outDir: join(fixture.root, 'bundle') })
    const page = await openPage(pathToFileURL(exported.index).href)
    await page.getByText(`Relative deficit ${FIXTURE.soloRun} vs ${FIXTURE.coopRun}:`).waitFor()
    expect(await page.locator('.top .status').innerText()).toContain('export')
    expect(await page.locator('svg.rate-chart').first().locator('.bar-row').count()).toBe(3)
    await page.locator('.top nav a', { hasText: 'Pairs' }).click()
    await page.locator('table.pairs tbody a', { hasText: FIXTURE.teamPair.repo }).first().waitFor()
    await page.selectOption('select[name=run]', FIXTURE.teamRun)
    await page.locator('table.pairs tbody a').first().click()
    await page.locator('.timeline .lane').nth(1).waitFor()
    expect(await page.locator('.timeline .message').count()).toBe(2)
    await page.screenshot({ path: join(ARTIFACTS, 'export-pair-page.png'), fullPage: true })
  })
})
