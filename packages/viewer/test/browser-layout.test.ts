import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairId } from '../src/pair-summary.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'
import { writeCoopRun } from './support/written-runs.js'

/** The pair list of a long run comes in pages, and every page fits an 800 px window (no page-wide horizontal scroll). */
const PAIRS = 230
let logDir: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-layout-'))
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({ task: i + 1, pass: i % 2 === 0, conflict: i % 3 === 0 }))
  await writeCoopRun(logDir, { name: 'a-rather-long-run-name-of-a-coop-run-with-messaging', messaging: true, analysis: true, pairs })
  await writeCoopRun(logDir, { name: 'a-rather-long-run-name-of-a-coop-run-without-messaging', messaging: false, pairs: pairs.slice(0, 20) })
  opened = await openViewerPage(logDir, { width: 800, height: 900 })
}, 180_000)

afterAll(() => opened?.close())

const pageWidth = () => opened.page.evaluate(() => document.documentElement.scrollWidth)

describe('the viewer at 800 px on a long run', () => {
  it('pages the pair list 100 rows at a time; a filter starts again at the first page', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/pairs`)
    await opened.page.getByText(`${PAIRS + 20} of ${PAIRS + 20} pairs`).waitFor()
    expect(await opened.page.locator('table.pairs tbody tr').count()).toBe(100)
    expect(await opened.page.locator('nav.pager .page-of').innerText()).toBe('page 1 of 3 (1–100)')
    await opened.page.locator('nav.pager a.next').click()
    await opened.page.getByText('page 2 of 3 (101–200)').waitFor()
    await opened.page.locator('nav.pager a.next').click()
    await opened.page.getByText('page 3 of 3 (201–250)').waitFor()
    expect(await opened.page.locator('table.pairs tbody tr').count()).toBe(50)
    await opened.page.selectOption('select[name=outcome]', 'pass')
    await opened.page.getByText(`${PAIRS / 2 + 10} of ${PAIRS + 20} pairs`).waitFor()
    expect(await opened.page.locator('nav.pager .page-of').innerText()).toBe('page 1 of 2 (1–100)')
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    expect(opened.errors).toEqual([])
  })

  it('overview and pair page fit 800 px', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    await opened.page.goto(`${opened.viewer.url}#/`)
    await opened.page.locator('section.ablations').waitFor()
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    const dir = join(logDir, 'a-rather-long-run-name-of-a-coop-run-with-messaging', 'coop', 'textkit_task', '2', 'f1_f2')
    await opened.page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, dir)}`)
    await opened.page.locator('.timeline .lane').first().waitFor()
    expect(await pageWidth()).toBeLessThanOrEqual(800)
    expect(opened.errors).toEqual([])
  })
})
