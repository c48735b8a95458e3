import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningViewer, startViewer } from '../src/index.js'
import { pairId } from '../src/pair-summary.js'
import { CHROMIUM } from './support/requirements.js'
import { writeCoopRun } from './support/written-runs.js'

/** The pair list of a long run comes in pages, and every page fits an 800 px window (no page-wide horizontal scroll). */
const problem = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium)`
const PAIRS = 230
let logDir: string
let browser: Browser
let viewer: RunningViewer
let page: Page
const errors: string[] = []

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-layout-'))
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({ task: i + 1, pass: i % 2 === 0, conflict: i % 3 === 0 }))
  await writeCoopRun(logDir, { name: 'a-rather-long-run-name-of-a-coop-run-with-messaging', messaging: true, analysis: true, pairs })
  await writeCoopRun(logDir, { name: 'a-rather-long-run-name-of-a-coop-run-without-messaging', messaging: false, pairs: pairs.slice(0, 20) })
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  viewer = await startViewer({ logDir, port: 0 })
  page = await browser.newPage({ viewport: { width: 800, height: 900 } })
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
}, 60_000)

afterAll(async () => {
  await viewer?.close()
  await browser?.close()
  if (logDir) await rm(logDir, { recursive: true, force: true })
})

const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth)

describe('the viewer at 800 px on a long run', () => {
  it('pages the pair list 100 rows at a time; a filter starts again at the first page', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await page.goto(`${viewer.url}#/pairs`)
    await page.getByText(`${PAIRS + 20} of ${PAIRS + 20} pairs`).waitFor()
    expect(await page.locator('table.pairs tbody tr').count()).toBe(100)
    expect(await page.locator('nav.pager .page-of').innerText()).toBe('page 1 of 3 (1–100)')
    await page.locator('nav.pager a.next').click()
    await page.getByText('page 2 of 3 (101–200)').waitFor()
    await page.locator('nav.pager a.next').click()
    await page.getByText('page 3 of 3 (201–250)').waitFor()
    expect(await page.locator('table.pairs tbody tr').count()).toBe(50)
    await page.selectOption('select[name=outcome]', 'pass')
    await page.getByText(`${PAIRS / 2 + 10} of ${PAIRS + 20} pairs`).waitFor()
    expect(await page.locator('nav.pager .page-of').innerText()).toBe('page 1 of 2 (1–100)')
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    expect(errors).toEqual([])
  })

  it('overview and pair page fit 800 px', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await page.goto(`${viewer.url}#/`)
    await page.locator('section.ablations').waitFor()
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    const dir = join(logDir, 'a-rather-long-run-name-of-a-coop-run-with-messaging', 'coop', 'textkit_task', '2', 'f1_f2')
    await page.goto(`${viewer.url}#/pair/${pairId(logDir, dir)}`)
    await page.locator('.timeline .lane').first().waitFor()
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    expect(errors).toEqual([])
  })
})
