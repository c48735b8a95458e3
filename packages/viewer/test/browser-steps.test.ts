import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairId } from '../src/pair-summary.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'
import { writeCoopRun } from './support/written-runs.js'

/**
 * The pair page of a messaging coop pair written by hand, in a real browser: what each agent said
 * on every step, and the messages each agent read, shown in the reader's own lane and column.
 */
let logDir: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-steps-'))
  await writeCoopRun(logDir, { name: 'msg', messaging: true, pairs: [{ task: 1, pass: false, steps: 3 }] })
  opened = await openViewerPage(logDir, { width: 1400, height: 900 })
  await opened.page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, join(logDir, 'msg', 'coop', 'textkit_task', '1', 'f1_f2'))}`)
  await opened.page.locator('.step-column[data-lane=agent2] .step-card').nth(2).waitFor()
}, 180_000)

afterAll(() => opened?.close())

describe('the pair page of a messaging coop pair', () => {
  it("shows the assistant's text on every step card, beside the command it ran", async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    for (const agent of ['agent1', 'agent2']) {
      const column = opened.page.locator(`.step-column[data-lane=${agent}]`)
      expect(await column.locator('.step-card .step-thought').allInnerTexts()).toEqual(
        [1, 2, 3].map((i) => `THOUGHT: step ${i} of ${agent}, looking at slug.py`),
      )
      expect(await column.locator('.step-card').nth(1).locator('.step-command').innerText()).toBe('sed -n 2,40p textkit/slug.py')
    }
    expect(opened.errors).toEqual([])
  })

  it("draws each message read in the reader's lane and puts it in the reader's column after the step it arrived during", async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const page = opened.page
    for (const [reader, sender, text] of [
      ['agent1', 'agent2', 'ok, I keep out of slug.py'],
      ['agent2', 'agent1', 'I will change slugify in textkit/slug.py'],
    ] as const) {
      const mark = page.locator(`.timeline .lane[data-lane=${reader}] .incoming`)
      expect(await mark.evaluateAll((marks) => marks.map((m) => m.getAttribute('data-from')))).toEqual([sender])
      expect(await mark.locator('title').textContent()).toBe(`read from ${sender}: ${text}`)
      // The sender's lane has no mark of its own message.
      expect(await page.locator(`.timeline .lane[data-lane=${sender}] .incoming[data-from=${sender}]`).count()).toBe(0)
      const column = page.locator(`.step-column[data-lane=${reader}]`)
      const order = await column
        .locator('.step-card, .incoming-message')
        .evaluateAll((items) =>
          items.map((item) => (item.classList.contains('incoming-message') ? `from ${item.getAttribute('data-from')}` : `#${item.getAttribute('data-step')}`)),
        )
      expect(order).toEqual(['#0', `from ${sender}`, '#1', '#2'])
      expect(await column.locator('.incoming-message .incoming-text').innerText()).toBe(text)
    }
    expect(opened.errors).toEqual([])
  })

  it('shows who touched which patched file when, and zooms the timeline', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const page = opened.page
    const row = page.locator('.timeline .file-row[data-path="textkit/slug.py"]')
    // Each agent: step 2 reads the file, step 3 edits it (step 1 only sends a message).
    expect(
      await row
        .locator('.touch')
        .evaluateAll((marks) =>
          marks.map((m) => `${m.getAttribute('data-lane')} #${m.getAttribute('data-step')} ${m.classList.contains('edit') ? 'edit' : 'read'}`),
        ),
    ).toEqual(['agent1 #1 read', 'agent1 #2 edit', 'agent2 #1 read', 'agent2 #2 edit'])
    await row.locator('.touch.edit[data-lane=agent2]').click()
    await expect.poll(() => page.locator('.step-column[data-lane=agent2] .step-card.selected').getAttribute('data-step')).toBe('2')
    const svg = page.locator('.timeline svg.timeline-plot')
    const fitted = Number(await svg.getAttribute('width'))
    const timeline = page.locator('.timeline')
    expect(await timeline.evaluate((t) => t.scrollWidth <= t.clientWidth)).toBe(true)
    await page.locator('.zoom .zoom-in').click()
    await page.locator('.zoom .zoom-in').click()
    expect(await page.locator('.zoom .zoom-level').innerText()).toBe('4×')
    // The plot (all but the lane labels and the right margin) is four times as wide, and scrolls.
    expect(Number(await svg.getAttribute('width')) - 136).toBeCloseTo((fitted - 136) * 4, 0)
    expect(await timeline.evaluate((t) => t.scrollWidth > t.clientWidth)).toBe(true)
    await page.locator('.zoom .zoom-fit').click()
    expect(Number(await svg.getAttribute('width'))).toBe(fitted)
    expect(opened.errors).toEqual([])
  })
})
