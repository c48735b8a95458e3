import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairId } from '../src/pair-summary.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'
import { writeTeamRun } from './support/team-runs.js'
import { writeSoloRun } from './support/written-runs.js'

/** A team run in the page: its leaderboard row and ablation, and a team pair's team, task board and scratchpad. */
let logDir: string
let opened: ViewerPage

beforeAll(async () => {
  if (problem !== null && !process.env.CI) return
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-team-page-'))
  await writeSoloRun(
    logDir,
    'solo',
    [1, 2].map((task) => ({ task, pass: task === 1 })),
  )
  await writeTeamRun(logDir, {
    name: 'team',
    pairs: [
      { task: 1, pass: true },
      { task: 2, pass: true, conflict: true, strategy: 'solo-agent1' },
    ],
  })
  await writeTeamRun(logDir, { name: 'team-no-scratchpad', features: { scratchpad: false }, pairs: [1, 2].map((task) => ({ task, pass: false })) })
  opened = await openViewerPage(logDir, { width: 1200, height: 900 })
}, 180_000)

afterAll(() => opened?.close())

describe('team runs in the page', () => {
  it('shows the team row of the leaderboard, the one-feature-off ablation, and a pair with its team, task board and scratchpad', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/`)
    const row = page.locator('.leaderboard-table tr[data-coop-run="team"]')
    await row.waitFor()
    expect(await row.locator('td').nth(2).innerText()).toMatch(/^team, all features, messaging/)
    expect(await row.locator('td.strategies').innerText()).toBe('naive 1 (50%), solo-agent1 1 (50%)')
    const ablation = page.locator('section[data-section="team_ablation"] tbody tr', { hasText: '--team-no-scratchpad' }).locator('td')
    expect(await ablation.allInnerTexts()).toEqual([
      '--team-no-scratchpad',
      'team-no-scratchpad',
      '2',
      '2',
      '0',
      '-100.0',
      expect.stringMatching(/^\[-\d+\.\d, -\d+\.\d\]$/),
      '0.500',
      '0',
    ])

    // The row's pair count opens the common pairs of the solo and the team run.
    await row.locator('td').nth(3).locator('a').click()
    await page.locator('.comparison-head').waitFor()
    expect(await page.locator('.comparison-head').innerText()).toMatch(/^Common pairs: solo \(solo\) vs team \(team\), 2 of 2 judged in both/)
    expect(await page.locator('table.pairs tbody tr').count()).toBe(2)

    const dir = join(logDir, 'team', 'team', 'textkit_task', '2', 'f1_f2')
    await page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, dir)}`)
    await page.locator('.team-panel').waitFor()
    expect(await page.locator('.team-roles .role').allInnerTexts()).toEqual(['agent1: lead (also integrates)', 'agent2: member'])
    expect(await page.locator('.feature-chips .chip.on').count()).toBe(5)
    expect(await page.locator('.task-log tbody tr').count()).toBe(4)
    // The task board's events on the timeline, beside the lanes and the message arrows.
    expect(await page.locator('.timeline .task-event').evaluateAll((marks) => marks.map((m) => m.getAttribute('data-kind')))).toEqual([
      'create',
      'create',
      'claim',
      'update',
    ])
    expect(await page.locator('.timeline .message').count()).toBe(2)
    expect(await page.locator('.scratchpad-list li').count()).toBe(4)
    expect(await page.locator('pre.scratchpad-file').innerText()).toMatch(/^# Plan/)
    await page.locator('.scratchpad-list button[data-path="agent2.patch"]').click()
    expect(await page.locator('pre.scratchpad-file').innerText()).toMatch(/^diff --git/)
    expect(await page.locator('.scratchpad-list button[data-path="blob.bin"]').isDisabled()).toBe(true)
    expect(opened.errors).toEqual([])
  })

  it('names --team-no-task-commands, not three flags of upstream, for the features that arm switched off', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const off = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await writeTeamRun(logDir, { name: 'team-no-task-commands', features: off, pairs: [{ task: 1, pass: false }] })
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, join(logDir, 'team-no-task-commands', 'team', 'textkit_task', '1', 'f1_f2'))}`)
    // The page of the earlier test's pair (every chip on) may still be shown: wait for this pair's chips.
    await page.locator('.feature-chips .chip.off').nth(2).waitFor()
    const titles = await page.locator('.feature-chips .chip.off').evaluateAll((chips) => chips.map((c) => `${c.textContent} ${c.getAttribute('title')}`))
    expect(titles).toEqual(['task_list off (--team-no-task-commands)', 'auto_refresh off (--team-no-task-commands)', 'protocol off (--team-no-task-commands)'])
    expect(await page.locator('.team-panel p.empty').first().innerText()).toBe('No task list (--team-no-task-commands): no metrics.')
    expect(opened.errors).toEqual([])
  })
})
