import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, OpenPages } from './support/viewer-page.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { scanRun } from '@cooperbench/results'
import { buildReport, readRunFingerprints, type RunReport } from '@cooperbench/report'
import { type RunningViewer, startViewer } from '../src/index.js'
import { FIXTURE, type FixtureRuns, makeFixtureRuns } from './support/fixture-runs.js'
import { missingForBrowserTests, requireOrSkip } from './support/requirements.js'

/**
 * From the headline number to its pairs, in Chromium on runs the real CLI makes (oracle solo,
 * oracle coop, mini-SWE coop with --git), at 800 and 1440 px: the leaderboard, the deficit's
 * agreement cells and other figures as links to the pairs behind them, the solo twin with its
 * verdict, refused comparisons folded, and a run in progress that does not look finished.
 * Screenshots go to test/artifacts/numbers-*.png.
 */
const problem = missingForBrowserTests()
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url))
const WIDTHS = [800, 1440] as const
let fixture: FixtureRuns
let browser: Browser
let viewer: RunningViewer
let report: RunReport
const pages = new OpenPages()

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  await mkdir(ARTIFACTS, { recursive: true })
  ;[fixture, browser] = await Promise.all([makeFixtureRuns(), launchChromium()])
  const runs = [FIXTURE.soloRun, FIXTURE.coopRun, FIXTURE.teamRun]
  report = buildReport(
    await Promise.all(
      runs.map(async (name) => ({ name, pairs: await scanRun(join(fixture.logs, name)), fingerprints: await readRunFingerprints(join(fixture.logs, name)) })),
    ),
  )
  viewer = await startViewer({ logDir: fixture.logs, port: 0, pollMs: 500 })
}, 300_000)

afterAll(async () => {
  await viewer?.close()
  await browser?.close()
  await fixture?.remove()
})

async function openPage(url: string, width: number): Promise<Page> {
  return (await pages.open(browser, url, width)).page
}

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([])
})

const pct = (x: number) => `${(x * 100).toFixed(1)}%`
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth)

describe.each(WIDTHS)('at %i px', (width) => {
  it('the leaderboard: one row per comparable agent × model, every rate with its interval, each a link to its pairs', async (ctx) => {
    requireOrSkip(problem, ctx)
    // Oracle solo × oracle coop is the one comparable pair of runs; mini-SWE coop has no solo run of its own.
    expect(report.leaderboard.map((r) => [r.agent, r.model, r.soloRun, r.coopRun])).toEqual([
      ['oracle', report.leaderboard[0]!.model, FIXTURE.soloRun, FIXTURE.coopRun],
    ])
    const row = report.leaderboard[0]!
    const page = await openPage(`${viewer.url}#/`, width)
    const table = page.locator('section.leaderboard table.leaderboard-table')
    await table.waitFor()
    expect(await table.locator('tbody tr').count()).toBe(1)
    const cells = await table.locator('tbody tr td').allInnerTexts()
    expect(cells[0]).toBe('oracle')
    expect(cells[3]).toBe(String(row.pairs))
    expect(cells[4]).toBe(`${pct(row.solo.rate)} [${pct(row.solo.low)}, ${pct(row.solo.high)}]`)
    expect(cells[5]).toBe(`${pct(row.coop.rate)} [${pct(row.coop.low)}, ${pct(row.coop.high)}]`)
    expect(cells[6]).toBe(`${pct(row.relative.value!)} [${pct(row.relative.low!)}, ${pct(row.relative.high!)}]`)
    expect(cells[7]).toBe(`${pct(row.strict.rate)} [${pct(row.strict.low)}, ${pct(row.strict.high)}]`)
    // The interval has width: never a bare point.
    expect(row.relative.high! - row.relative.low!).toBeGreaterThan(0.1)
    expect(await pageWidth(page)).toBeLessThanOrEqual(width)
    await table.screenshot({ path: join(ARTIFACTS, `numbers-leaderboard-${width}.png`) })
    // The relative deficit opens the pairs solo passed and coop failed.
    await table.locator('td.relative a').click()
    await page.locator('.comparison-head').waitFor()
    expect(page.url()).toContain('cell=soloOnly')
    expect(await page.locator('table.pairs tbody tr').count()).toBe(row.pairs === 0 ? 0 : report.deficits[0]!.agreement.soloOnly)
  })

  it('deficit → pairs → pair: an agreement cell lists its pairs with the solo verdict; the pair links its comparable solo twin', async (ctx) => {
    requireOrSkip(problem, ctx)
    const d = report.deficits.find((x) => x.soloRun === FIXTURE.soloRun && x.coopRun === FIXTURE.coopRun)!
    // The oracle's coop merges conflict, so some pairs pass solo and fail coop: the cell the walk opens.
    expect(d.agreement.soloOnly).toBeGreaterThan(0)
    const page = await openPage(`${viewer.url}#/`, width)
    const detail = page.locator('.deficit-detail', { hasText: `${FIXTURE.soloRun} vs ${FIXTURE.coopRun}` })
    await detail.waitFor()
    expect(await detail.locator('a.agreement-cell').allInnerTexts()).toEqual(
      [d.agreement.bothPass, d.agreement.soloOnly, d.agreement.coopOnly, d.agreement.neither].map(String),
    )
    await page.screenshot({ path: join(ARTIFACTS, `numbers-walk-1-overview-${width}.png`), fullPage: true })
    await detail.locator('a.agreement-cell.soloOnly').click()
    await page.locator('.comparison-head').waitFor()
    expect(await page.locator('.comparison-head').innerText()).toContain(
      `solo passed, coop failed: ${FIXTURE.soloRun} (solo) vs ${FIXTURE.coopRun} (coop), ${d.agreement.soloOnly} of ${d.pairs} judged in both`,
    )
    const rows = page.locator('table.pairs tbody tr')
    expect(await rows.count()).toBe(d.agreement.soloOnly)
    for (const text of await rows.allInnerTexts()) {
      expect(text).toContain(FIXTURE.coopRun)
      expect(text).toMatch(/failed\s+passed/)
    }
    // The other cells are one click away, with their counts.
    expect(await page.locator('.comparison-head .cell-link').allInnerTexts()).toEqual([
      `both passed (${d.agreement.bothPass})`,
      `solo passed, coop failed (${d.agreement.soloOnly})`,
      `coop passed, solo failed (${d.agreement.coopOnly})`,
      `both failed (${d.agreement.neither})`,
    ])
    expect(await pageWidth(page)).toBeLessThanOrEqual(width)
    await page.screenshot({ path: join(ARTIFACTS, `numbers-walk-2-pairs-${width}.png`), fullPage: true })
    const label = await rows.first().locator('td a').first().innerText()
    await rows.first().locator('td a').first().click()
    await page.locator('.pair-head h2', { hasText: label }).waitFor()
    const twins = page.locator('.pair-head a.solo-twin')
    expect(await twins.count()).toBe(1)
    expect(await twins.innerText()).toMatch(new RegExp(`solo \\(${FIXTURE.soloRun}\\)\\s+passed`))
    await page.screenshot({ path: join(ARTIFACTS, `numbers-walk-3-pair-${width}.png`) })
    await twins.click()
    await page.locator('.pair-head', { hasText: FIXTURE.soloRun }).waitFor()
    expect(await page.locator('.pair-head h2').innerText()).toBe(label)
  })
})

describe('figures as links, folded refusals, the solo link', () => {
  it('merge outcomes, per-repo rates and the pair list search lead to the pairs behind the number', async (ctx) => {
    requireOrSkip(problem, ctx)
    const coop = report.settings.find((s) => s.runs[0] === FIXTURE.coopRun)!
    const page = await openPage(`${viewer.url}#/`, 1440)
    await page.locator('svg.stacked-chart').first().waitFor()
    await page.locator('svg.stacked-chart .segment.union a').first().click()
    await page.locator('table.pairs').waitFor()
    expect(page.url()).toContain(`run=${FIXTURE.coopRun}`)
    expect(page.url()).toContain('merge=union')
    await page.getByText(`${coop.merge.conflicts} of `).first().waitFor()
    expect(await page.locator('table.pairs tbody tr').count()).toBe(coop.merge.conflicts)
    // Per-repo bars: the pairs of that run and repo.
    await page.goto(`${viewer.url}#/`)
    const perRepo = page.locator('section', { hasText: 'Pass rate per repository' }).locator('svg.rate-chart')
    await perRepo.waitFor()
    const repo = coop.perRepo[0]!
    await perRepo.locator('.bar-row.coop a').first().click()
    await page.locator('table.pairs').waitFor()
    expect(await page.locator('table.pairs tbody tr').count()).toBe(repo.pairs)
    // Text search over pairs, runs and feature results.
    await page.goto(`${viewer.url}#/pairs`)
    await page.locator('input[name=q]').fill('confkit')
    await page.locator('input[name=q]').press('Enter')
    await page.waitForURL(/q=confkit/)
    const labels = await page.locator('table.pairs tbody tr td:first-child').allInnerTexts()
    expect(labels.length).toBeGreaterThan(0)
    for (const l of labels) expect(l).toContain('confkit_task')
    // Each feature's result is a column.
    expect(await page.locator('table.pairs tbody tr .feature-result').count()).toBeGreaterThan(0)
  })

  it('refused comparisons are one line that opens to every reason in full; a pair of a refused run links no solo run', async (ctx) => {
    requireOrSkip(problem, ctx)
    expect(report.refused.map((r) => r.coopRun)).toEqual([FIXTURE.teamRun])
    const page = await openPage(`${viewer.url}#/`, 800)
    const folded = page.locator('details.refused-list')
    await folded.waitFor()
    expect(await page.locator('svg.deficit-chart .deficit-row').count()).toBe(report.deficits.length)
    expect(await folded.locator('summary').innerText()).toBe('1 solo × coop combination not compared (different agent, model, limits or prompts)')
    expect(await folded.locator('ul.reasons').isVisible()).toBe(false)
    await folded.locator('summary').click()
    expect(await folded.locator('ul.reasons').innerText()).toContain('agent: "oracle" → "mini_swe_agent"')
    await page.goto(`${viewer.url}#/pairs?run=${FIXTURE.teamRun}`)
    await page.locator('table.pairs tbody a').first().click()
    await page.locator('.timeline .lane').first().waitFor()
    expect(await page.locator('.pair-head a.solo-twin').count()).toBe(0)
  })
})

describe('a run in progress', () => {
  it('shows its planned pairs, marks its rates partial, plots no deficit, and a live pair counts what its timeline shows', async (ctx) => {
    requireOrSkip(problem, ctx)
    const live = join(fixture.logs, 'live-run')
    const coopConfig = JSON.parse(await readFile(join(fixture.logs, FIXTURE.coopRun, 'config.json'), 'utf8')) as Record<string, unknown>
    try {
      // Two finished pairs of the oracle coop run, one pair whose agents are still working, 27 planned, no summary.json yet.
      const finished = (await scanRun(join(fixture.logs, FIXTURE.coopRun))).filter((p) => p.result).slice(0, 2)
      for (const pair of finished) await cp(pair.dir, pair.dir.replace(join(fixture.logs, FIXTURE.coopRun), live), { recursive: true })
      const team = join(fixture.logs, FIXTURE.teamRun, 'coop', FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2')
      const running = join(live, 'coop', FIXTURE.teamPair.repo, '99', 'f1_f2')
      await mkdir(running, { recursive: true })
      for (const file of ['agent1_traj.json', 'agent2_traj.json']) await cp(join(team, file), join(running, file))
      await writeFile(join(live, 'config.json'), JSON.stringify({ ...coopConfig, run_name: 'live-run', total_tasks: 27, started_at: new Date().toISOString() }))

      const page = await openPage(`${viewer.url}#/`, 1440)
      const card = page.locator('.run-card', { hasText: 'live-run' })
      await card.waitFor({ timeout: 30_000 })
      expect(await card.locator('.finished-of-planned').innerText()).toBe('2/27 pairs finished')
      expect(await card.innerText()).toContain('unfinished: rates are partial')
      const bar = page.locator('svg.rate-chart').first().locator('.bar-row', { hasText: 'live-run' })
      expect(await bar.getAttribute('class')).toContain('partial')
      expect(await bar.locator('text.note').textContent()).toBe('coop · partial, run unfinished')
      // Comparable with the oracle solo run, but not plotted while it runs.
      expect(await page.locator('svg.deficit-chart .deficit-row', { hasText: 'live-run' }).count()).toBe(0)
      expect(await page.locator('p.not-plotted').innerText()).toContain(`Not plotted: ${FIXTURE.soloRun} vs live-run — live-run is unfinished (2 of 27 pairs)`)
      await page.screenshot({ path: join(ARTIFACTS, 'numbers-live-run-1440.png'), fullPage: true })

      await page.goto(`${viewer.url}#/pairs?run=live-run&outcome=running`)
      await page.locator('table.pairs tbody a').first().click()
      await page.locator('.timeline .lane').nth(1).waitFor()
      const steps = await page.locator('.timeline .step').count()
      const messages = await page.locator('.timeline .message').count()
      expect(steps).toBeGreaterThan(0)
      expect(messages).toBeGreaterThan(0)
      const meta = await page.locator('.pair-meta').innerText()
      expect(meta).toContain(`${steps} steps`)
      expect(meta).toContain(`${messages} messages`)
      expect(meta).not.toMatch(/\$0(?![.\d])/)
    } finally {
      await rm(live, { recursive: true, force: true })
    }
  })
})
