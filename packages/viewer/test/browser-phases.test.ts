import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairId } from '../src/pair-summary.js'
import { PLAN, writePhasedRun } from './support/phased-run.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'

/** A pair of a setting the viewer does not know, run in two phases, in Chromium: the overview lists it; its page shows the phases and the hand-off. */
let logDir: string
let pairDir: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-phases-page-'))
  pairDir = await writePhasedRun(logDir, 'seq-run')
  opened = await openViewerPage(logDir, { width: 1200, height: 900 })
}, 180_000)

afterAll(() => opened?.close())

describe('phases and hand-offs in the page', () => {
  it('lists the setting in the overview and the pair list', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/`)
    await page.locator('table.numbers tbody tr').first().waitFor()
    expect(await page.locator('table.numbers tbody tr td').nth(1).innerText()).toBe('sequential')
    await page.goto(`${opened.viewer.url}#/pairs`)
    await page.locator('table.pairs tbody tr').first().waitFor()
    expect(await page.locator('select[name="setting"] option').allInnerTexts()).toEqual(['all', 'sequential'])
    expect(await page.locator('table.pairs tbody tr td').nth(2).innerText()).toBe('sequential')
    expect(opened.errors).toEqual([])
  })

  it('shows each phase as a band over the lanes, the hand-off as a link from lane to lane, and the plan beside the patches', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, pairDir)}`)
    await page.locator('.timeline .lane').first().waitFor()
    const names = page.locator('.timeline .lane-name')
    expect(await names.evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-lane'), g.querySelector('.lane-role')?.textContent]))).toEqual([
      ['agent1', 'implementer'],
      ['agent2', 'reviewer'],
    ])
    const bands = page.locator('.timeline .phase-band')
    expect(await bands.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-phase')))).toEqual(['implement', 'review'])
    // The bands follow the time axis: the review phase starts after the implementation ended (50 s, then 60 s into the pair).
    const [implement, review] = await bands
      .locator('rect')
      .evaluateAll((rects) => rects.map((r) => ({ left: Number(r.getAttribute('x')), right: Number(r.getAttribute('x')) + Number(r.getAttribute('width')) })))
    expect(implement!.right).toBeLessThan(review!.left)
    // Each lane's steps lie in its phase's band.
    for (const [lane, band] of [
      ['agent1', implement!],
      ['agent2', review!],
    ] as const) {
      const steps = await page.locator(`.timeline .lane[data-lane="${lane}"] .step rect`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('x'))))
      expect(steps.every((x) => x >= band.left && x <= band.right)).toBe(true)
    }
    const handOff = page.locator('.timeline .hand-off[data-from="agent1"][data-to="agent2"]')
    expect(await handOff.count()).toBe(1)
    expect(await handOff.locator('title').textContent()).toBe("agent2 started from agent1's patch")
    expect(await page.locator('.legend-item.phase-key').count()).toBe(1)

    // The implementer's plan beside its patch; the reviewer's patch holds the implementation and its tests, not marked as both editing one file.
    expect(await page.locator('.patch-column[data-lane="agent1"] .artifact pre').innerText()).toBe(PLAN)
    expect(await page.locator('.patch-column[data-lane="agent2"] .patch-file').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-path')))).toEqual([
      'tests/test_slug.py',
      'textkit/slug.py',
    ])
    expect(await page.locator('.shared-summary').count()).toBe(0)
    expect(opened.errors).toEqual([])
  })
})
