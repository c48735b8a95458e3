import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pairId } from '../src/pair-summary.js'
import { chromiumProblem as problem, openViewerPage, type ViewerPage } from './support/viewer-page.js'
import { writeTeamRun } from './support/team-runs.js'
import { writeSoloRun } from './support/written-runs.js'

/** A team run in the page: its leaderboard row and ablation, and a team pair's roles, sections, events and scratchpad, from its reporter. */
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
  it('shows the team row of the leaderboard, the one-feature-off ablation, and a pair with its roles, sections, events and scratchpad', async (ctx) => {
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
    // The team's part of the page comes from its reporter, drawn as any setting's: sections, a timeline row, files.
    await page.locator('section[data-section="team_features"]').waitFor()
    expect(await page.locator('.lane-name .lane-role').allTextContents()).toEqual(['lead', 'member'])
    expect(await page.locator('section[data-section="team_features"] tbody tr').allInnerTexts()).toEqual(
      ['task_list', 'scratchpad', 'mcp', 'auto_refresh', 'protocol'].map((f) => `${f}\ton\t–`),
    )
    expect(await page.locator('section[data-section="team_metrics"] tbody tr').first().innerText()).toBe('tasks done\t1/2')
    expect(await page.locator('section[data-section="team_task_log"] tbody tr').count()).toBe(4)
    expect(await page.locator('section[data-section="team_tasks"] tbody tr').count()).toBe(2)
    // The task log's events on the timeline, beside the lanes and the message arrows, coloured by kind.
    const marks = page.locator('.timeline .setting-event')
    expect(await marks.evaluateAll((all) => all.map((m) => [m.getAttribute('data-kind'), m.getAttribute('class')]))).toEqual([
      ['create', 'setting-event kind-0 lane-0'],
      ['create', 'setting-event kind-0 lane-0'],
      ['claim', 'setting-event kind-1 lane-1'],
      ['update', 'setting-event kind-2 lane-1'],
    ])
    expect(await marks.nth(2).locator('title').textContent()).toBe('agent2: claim · Implement feature 2')
    expect(await page.locator('.timeline-labels .events-label').textContent()).toBe('team events')
    expect(await page.locator('.timeline .message').count()).toBe(2)
    expect(await page.locator('.files-section h2').innerText()).toBe('Scratchpad at the end')
    expect(await page.locator('.file-list li').count()).toBe(4)
    expect(await page.locator('pre.file-text').innerText()).toMatch(/^# Plan/)
    await page.locator('.file-list button[data-path="agent2.patch"]').click()
    expect(await page.locator('pre.file-text').innerText()).toMatch(/^diff --git/)
    expect(await page.locator('.file-list button[data-path="blob.bin"]').isDisabled()).toBe(true)
    expect(opened.errors).toEqual([])
  })

  it('names --team-no-task-commands, not three flags of upstream, for the features that arm switched off', async (ctx) => {
    if (problem !== null && !process.env.CI) return ctx.skip(problem)
    const off = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await writeTeamRun(logDir, { name: 'team-no-task-commands', features: off, pairs: [{ task: 1, pass: false }] })
    const { page } = opened
    await page.goto(`${opened.viewer.url}#/pair/${pairId(logDir, join(logDir, 'team-no-task-commands', 'team', 'textkit_task', '1', 'f1_f2'))}`)
    // The page of the earlier test's pair (every feature on) may still be shown: wait for this pair's metrics note.
    const note = page.locator('section[data-section="team_metrics"] .note')
    await note.waitFor()
    expect(await note.innerText()).toBe('note: No task list (--team-no-task-commands): no metrics.')
    const rows = await page.locator('section[data-section="team_features"] tbody tr').allInnerTexts()
    expect(rows.filter((row) => row.includes('\toff\t'))).toEqual([
      'task_list\toff\t--team-no-task-commands',
      'auto_refresh\toff\t--team-no-task-commands',
      'protocol\toff\t--team-no-task-commands',
    ])
    expect(await page.locator('.timeline .setting-event').count()).toBe(0)
    expect(opened.errors).toEqual([])
  })
})
