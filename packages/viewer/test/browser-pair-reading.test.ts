import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, OpenPages } from './support/viewer-page.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { exportViewer, type RunningViewer, startViewer } from '../src/index.js'
import { pairId } from '../src/pair-summary.js'
import { FIXTURE, type FixtureRuns, makeFixtureRuns, REPO_ROOT } from './support/fixture-runs.js'
import { missingForBrowserTests, requireOrSkip } from './support/requirements.js'

/**
 * Reading one pair in a real browser, on runs the real CLI made: which steps edit a file, a zoomed
 * timeline that keeps its bearings, the keyboard, no path of this machine, and the small things
 * (message table layout, one eval-error badge, feature-numbered trajectory files explained, no
 * model for the oracle). What the width decides is held at 800 and 1440 px, the rest at 1440.
 * Screenshots go to test/artifacts/.
 */
const problem = missingForBrowserTests()
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url))
/** The oracle-coop pair whose evaluation is rewritten to an error. */
const EVAL_ERROR_PAIR = ['confkit_task', '5', 'f3_f4']
let fixture: FixtureRuns
let browser: Browser
let viewer: RunningViewer
const pages = new OpenPages()

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  ;[fixture, browser] = await Promise.all([makeFixtureRuns(), launchChromium()])
  // An evaluation that failed after the merge (the sandbox of the tests did not start): a real pair's eval.json with an error.
  const evalFile = join(fixture.logs, FIXTURE.coopRun, 'coop', ...EVAL_ERROR_PAIR, 'eval.json')
  const record = JSON.parse(await readFile(evalFile, 'utf8'))
  await writeFile(evalFile, JSON.stringify({ ...record, error: 'sandbox for the tests did not start', both_passed: false }))
  viewer = await startViewer({ logDir: fixture.logs, port: 0 })
}, 240_000)

afterAll(async () => {
  await viewer?.close()
  await browser?.close()
  await fixture?.remove()
})

afterEach(async () => {
  await pages.closeAll()
})

async function openPair(width: number, run: string, setting: 'solo' | 'coop', path: string[]): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await pages.open(browser, `${viewer.url}#/pair/${pairId(fixture.logs, join(fixture.logs, run, setting, ...path))}`, width)
  await page.locator('.timeline .lane').first().waitFor()
  return { page, errors }
}

/** The path where it stands whole, not as the tail of a relative one (`../../tmp/x`). */
const absolutely = (path: string) => new RegExp(`(?<![\\w.])${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)

const teamPair = [FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2']
const touchesOf = (page: Page, path: string) =>
  page
    .locator(`.timeline .file-row[data-path="${path}"] .touch`)
    .evaluateAll((marks) =>
      marks.map((m) => `${m.getAttribute('data-lane')} #${m.getAttribute('data-step')} ${m.classList.contains('edit') ? 'edit' : 'read'}`),
    )

/** What a pair page shows and does whatever its width (its layout is held at both widths below): at 1440 px. */
describe('a pair page', () => {
  const width = 1440
  it('marks the steps that changed a file as edits, from what they ran, not from what the agents said', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.teamRun, 'coop', teamPair)
    // Step 1 sends "I will change … textkit/slug.py" (words: no mark); step 2 greps the file (a read);
    // step 3 writes the gold patch to /tmp and applies it (the edit the final patch records).
    expect(await touchesOf(page, 'textkit/slug.py')).toEqual(['agent1 #1 read', 'agent1 #2 edit', 'agent2 #1 read', 'agent2 #2 edit'])
    // The oracle names no file: its applied patches are its edits, the one that failed is not.
    const oracle = await openPair(width, FIXTURE.soloRun, 'solo', teamPair)
    expect(await touchesOf(oracle.page, 'textkit/slug.py')).toEqual(['solo #0 edit', 'solo #3 edit'])
    expect([...errors, ...oracle.errors]).toEqual([])
  })

  it('reaches every step, message and file mark with Tab, opens it with Enter, and shows where the focus is', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.teamRun, 'coop', teamPair)
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement!
        const kind = element.classList.contains('step')
          ? 'step'
          : element.classList.contains('message')
            ? 'message'
            : element.classList.contains('touch')
              ? 'touch'
              : element.tagName
        const lane = element.closest('[data-lane]')?.getAttribute('data-lane') ?? element.getAttribute('data-from')
        const rect = element.classList.contains('touch') ? element : element.querySelector('rect, line:not(.hit)')
        return { kind, lane, step: element.getAttribute('data-step'), stroke: rect ? getComputedStyle(rect).strokeWidth : null }
      })
    await page.locator('.zoom .zoom-in').focus()
    await page.keyboard.press('Tab')
    // Past the zoom buttons: agent1's first step, drawn with a focus outline; Enter opens its card.
    expect(await focused()).toEqual({ kind: 'step', lane: 'agent1', step: '0', stroke: '3px' })
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('.step-column[data-lane=agent1] .step-card.selected').getAttribute('data-step')).toBe('0')
    // Six steps each, then the two message arrows, then the file marks.
    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab')
    expect((await focused()).kind).toBe('message')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('table.messages tr.opened').getAttribute('data-index')).toBe('0')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await focused()).toEqual({ kind: 'touch', lane: 'agent1', step: '1', stroke: '3px' })
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('.step-column[data-lane=agent1] .step-card.selected').getAttribute('data-step')).toBe('1')
    expect(errors).toEqual([])
  })

  it('has shortcuts, listed on the page: next step, next failing step, next and previous pair, ? for all keys', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.soloRun, 'solo', teamPair)
    const selected = () => page.locator('.step-card.selected').getAttribute('data-step')
    expect(await page.locator('.keys-help').innerText()).toContain('next failing step')
    // The oracle's second gold patch did not apply (exit 1): the pair's one failing step.
    await page.keyboard.press('f')
    await expect.poll(selected).toBe('1')
    await page.keyboard.press('j')
    await expect.poll(selected).toBe('2')
    await page.keyboard.press('f')
    await expect.poll(selected).toBe('1')
    await page.keyboard.press('?')
    expect(await page.locator('.keys-panel dt').allInnerTexts()).toEqual(['Tab / Shift+Tab', 'Enter', 'j / k', 'f / Shift+F', 'n / p', '?'])
    // The run's pairs in the pair list's order: textkit_task/7 f1_f2 is followed by f2_f4; confkit_task/5 f3_f4 precedes it.
    await page.keyboard.press('n')
    await page.waitForURL(`**#/pair/${pairId(fixture.logs, join(fixture.logs, FIXTURE.soloRun, 'solo', 'textkit_task', '7', 'f2_f4'))}`)
    await page.locator('.pair-head h2', { hasText: 'textkit_task/7 f2_f4' }).waitFor()
    await page.keyboard.press('p')
    await page.locator('.pair-head h2', { hasText: 'textkit_task/7 f1_f2' }).waitFor()
    await page.keyboard.press('p')
    await page.locator('.pair-head h2', { hasText: 'confkit_task/5 f3_f4' }).waitFor()
    expect(errors).toEqual([])
  })

  it('names no folder of this machine: the log dir relative to where view started, the dataset dir too', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.teamRun, 'coop', teamPair)
    expect(await page.locator('header.top .log-dir').innerText()).toBe(`${relative(process.cwd(), fixture.logs)} · 3 runs`)
    await page.goto(`${viewer.url}#/`)
    await page.locator('.run-meta').first().waitFor()
    const html = await page.content()
    // Each run's settings name its folders (where the run was written: the suite's shared copy) relative to here too
    // (`../../tmp/…/logs` holds the absolute path as a tail).
    expect(html).toContain(`"logDir": "${relative(process.cwd(), join(fixture.writtenIn, 'logs'))}"`)
    expect(html).toContain(`"datasetDir": "${relative(process.cwd(), join(REPO_ROOT, 'dataset')) || '.'}"`)
    expect(html).not.toMatch(absolutely(fixture.root))
    expect(html).not.toMatch(absolutely(fixture.writtenIn))
    expect(html).not.toMatch(absolutely(REPO_ROOT))
    expect(errors).toEqual([])
  })
})

/** What the width decides: the timeline's ticks when zoomed, the message table's cells, no sideways scroll. */
describe.each([800, 1440])('a pair page at %i px', (width) => {
  it('zoomed in, keeps ticks a readable distance apart over the whole axis and the lane names in view', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.teamRun, 'coop', teamPair)
    const timeline = page.locator('.timeline')
    for (const zoom of ['1×', '2×', '4×', '8×', '16×', '32×']) {
      if (zoom !== '1×') await page.locator('.zoom .zoom-in').click()
      await expect.poll(() => page.locator('.zoom .zoom-level').innerText()).toBe(zoom)
      for (const where of ['start', 'end'] as const) {
        await timeline.evaluate((t, end) => {
          t.scrollLeft = end ? t.scrollWidth : 0
        }, where === 'end')
        const seen = await page.evaluate(() => {
          const box = document.querySelector('.timeline')!.getBoundingClientRect()
          const ticks = [...document.querySelectorAll('.timeline .time-tick line')]
            .map((line) => line.getBoundingClientRect().x)
            .filter((x) => x >= box.x + 130 && x <= box.right)
          const name = document.querySelector('.timeline .lane-name[data-lane=agent1] .lane-label')!.getBoundingClientRect()
          return { ticks, nameLeft: name.x - box.x, nameRight: name.right - box.x }
        })
        // Ticks in view wherever the plot is scrolled, never crowded. (Two at least: a 1-2-5 step can put
        // ticks up to 2.5 × 80 px apart, and the pair's duration, which picks the step, varies from run to run.)
        expect(seen.ticks.length, `${zoom} at the ${where}`).toBeGreaterThanOrEqual(2)
        const gaps = seen.ticks.slice(1).map((x, i) => x - seen.ticks[i]!)
        expect(Math.min(...gaps), `${zoom} at the ${where}`).toBeGreaterThanOrEqual(79)
        // The lane's name stays at the left edge of the timeline.
        expect(seen.nameLeft, `${zoom} at the ${where}`).toBeGreaterThanOrEqual(0)
        expect(seen.nameRight, `${zoom} at the ${where}`).toBeLessThan(130)
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, `pair-zoom-32x-${width}.png`) })
    expect(errors).toEqual([])
  })

  it('lays the messages out in one line per short cell, shows one eval-error badge, explains trajectory names, no model for the oracle', async (ctx) => {
    requireOrSkip(problem, ctx)
    const { page, errors } = await openPair(width, FIXTURE.teamRun, 'coop', teamPair)
    const lines = await page.locator('table.messages tbody tr').evaluateAll((rows) =>
      rows.map((row) =>
        [...row.querySelectorAll('td')].slice(0, 3).map((td) => {
          const text = document.createRange()
          text.selectNodeContents(td)
          return Math.round(text.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(td).lineHeight))
        }),
      ),
    )
    // Each short cell is one line (not "agent2 →" over "agent1"); the message text takes the rest.
    expect(lines).toEqual([
      [1, 1, 1],
      [1, 1, 1],
    ])
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
    await page.screenshot({ path: join(ARTIFACTS, `pair-page-${width}.png`), fullPage: true })

    const failed = await openPair(width, FIXTURE.coopRun, 'coop', EVAL_ERROR_PAIR)
    expect(await failed.page.locator('.pair-meta > .badge').allInnerTexts()).toEqual(['eval error'])

    const renamed = await openPair(width, FIXTURE.coopRun, 'coop', ['confkit_task', '5', 'f1_f3'])
    expect(await renamed.page.locator('.trajectory-names').innerText()).toContain('agentN_traj.json is the agent of feature N')
    expect(await renamed.page.locator('.prompt[data-lane=agent2] summary').innerText()).toBe(
      'agent2 (feature 3): system prompt and task · raw trajectory (agent3_traj.json)',
    )
    expect(await renamed.page.locator('.timeline .lane-name[data-lane=agent2] .lane-features').textContent()).toBe('feature 3')

    await page.goto(`${viewer.url}#/`)
    const metas = await page.locator('.run-meta').allInnerTexts()
    expect(metas.filter((m) => m.includes('oracle'))).toHaveLength(2)
    for (const meta of metas.filter((m) => m.includes('oracle'))) expect(meta).not.toMatch(/gemini|gpt|claude/)
    expect([...errors, ...failed.errors, ...renamed.errors]).toEqual([])
  })
})

describe('an export', () => {
  it('carries no folder of this machine in its data', async (ctx) => {
    requireOrSkip(problem, ctx)
    const exported = await exportViewer({ logDir: fixture.logs, outDir: join(fixture.root, 'bundle') })
    const data = join(exported.dir, 'data')
    const files = (await readdir(data, { recursive: true })).filter((f) => f.endsWith('.js'))
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      const text = await readFile(join(data, file), 'utf8')
      expect(text, file).not.toContain(fixture.root)
      expect(text, file).not.toContain(fixture.writtenIn)
      expect(text, file).not.toContain(REPO_ROOT)
    }
    expect(await readFile(join(data, 'viewer-data.js'), 'utf8')).toContain('"logDir":"logs"')
  })
})
