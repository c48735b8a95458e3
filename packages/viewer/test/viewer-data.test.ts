import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCooperbenchError } from '@cooperbench/core'
import { evalErrorRecord } from '@cooperbench/spec-utils/records'
import { journalLines, trajectoryJournalName } from '@cooperbench/results'
import { exportViewer, startViewer, ViewerSource } from '../src/index.js'
import { cli, FIXTURE, type FixtureRuns, makeFixtureRuns } from './support/fixture-runs.js'
import { missingForFixtureRuns, requireOrSkip } from './support/requirements.js'

/**
 * The viewer's Node side on real run folders (oracle solo and coop, and a mini_swe_agent coop
 * pair with messages, `--git` pushes and a merge conflict): the JSON the page gets.
 */
const problem = missingForFixtureRuns()
let fixture: FixtureRuns

beforeAll(async () => {
  if (problem === null || process.env.CI) fixture = await makeFixtureRuns()
}, 180_000)
afterAll(() => fixture?.remove())

const teamPairDir = () => join(fixture.logs, FIXTURE.teamRun, 'coop', FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2')

describe('overview data', () => {
  it('has the numbers of `cooperbench report` for the same runs, plus tokens', async (ctx) => {
    requireOrSkip(problem, ctx)
    const source = new ViewerSource({ logDir: fixture.logs, runs: [FIXTURE.soloRun, FIXTURE.coopRun] })
    const data = await source.data()
    const printed = JSON.parse(await cli(fixture.root, ['report', '-n', FIXTURE.soloRun, '-n', FIXTURE.coopRun, '--json']))
    expect(data.report).toEqual(printed)
    // The oracle passes every solo pair; in coop some gold patches conflict.
    expect(data.report.deficit).toMatchObject({ soloRun: FIXTURE.soloRun, coopRun: FIXTURE.coopRun, solo: 1 })
    expect(data.report.deficit!.coop).toBeLessThan(1)
    expect(data.runs.map((r) => [r.name, r.pairs, r.finished, r.running])).toEqual([
      [FIXTURE.soloRun, 6, 6, 0],
      [FIXTURE.coopRun, 6, 6, 0],
    ])
    expect(data.pairs).toHaveLength(12)
    expect(
      data.pairs
        .filter((p) => p.merge?.outcome === 'union')
        .map((p) => p.label)
        .sort(),
    ).toEqual(
      data.pairs
        .filter((p) => p.setting === 'coop' && p.merge?.status === 'conflicts')
        .map((p) => p.label)
        .sort(),
    )
  })

  it('compares only runs of the same configuration; --solo/--coop names the pair and refuses a mismatch', async (ctx) => {
    requireOrSkip(problem, ctx)
    const all = await new ViewerSource({ logDir: fixture.logs }).data()
    expect(all.report.deficits.map((d) => [d.soloRun, d.coopRun])).toEqual([[FIXTURE.soloRun, FIXTURE.coopRun]])
    expect(all.report.refused).toEqual([
      expect.objectContaining({ soloRun: FIXTURE.soloRun, coopRun: FIXTURE.teamRun, reasons: expect.arrayContaining(['agent: "oracle" → "mini_swe_agent"']) }),
    ])
    const named = await new ViewerSource({ logDir: fixture.logs, runs: [FIXTURE.teamRun], compare: { solo: FIXTURE.soloRun, coop: FIXTURE.coopRun } }).data()
    expect(named.runs.map((r) => r.name).sort()).toEqual([FIXTURE.coopRun, FIXTURE.soloRun, FIXTURE.teamRun])
    expect(named.report.deficits.map((d) => d.coopRun)).toEqual([FIXTURE.coopRun])
    const mismatch = new ViewerSource({ logDir: fixture.logs, compare: { solo: FIXTURE.soloRun, coop: FIXTURE.teamRun } })
    const error = await mismatch.check().catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('RUN_CONFIG_MISMATCH')
    expect(String((error as Error & { details: string[] }).details)).toContain('agent: "oracle" → "mini_swe_agent"')
  })

  it('shows every run of the log dir without names, and sums tokens and cost from result.json', async (ctx) => {
    requireOrSkip(problem, ctx)
    const data = await new ViewerSource({ logDir: fixture.logs }).data()
    expect(data.runs.map((r) => r.name)).toEqual([FIXTURE.coopRun, FIXTURE.soloRun, FIXTURE.teamRun])
    const result = JSON.parse(await readFile(join(teamPairDir(), 'result.json'), 'utf8'))
    const team = data.runs.find((r) => r.name === FIXTURE.teamRun)!
    expect(team.cost).toBeCloseTo(result.total_cost, 6)
    expect(team.cost).toBeGreaterThan(0)
    expect(team.tokens.input).toBe(result.agents.agent1.input_tokens + result.agents.agent2.input_tokens)
    expect(data.tokens.find((t) => t.run === FIXTURE.teamRun)?.tokens).toEqual(team.tokens)
  })

  it('follows a run while it goes: a new run folder, then a pair without result.json counted as running', async (ctx) => {
    requireOrSkip(problem, ctx)
    const source = new ViewerSource({ logDir: fixture.logs, maxAgeMs: 0 })
    const before = await source.data()
    const live = join(fixture.logs, 'live-run', 'coop', FIXTURE.teamPair.repo, String(FIXTURE.teamPair.task), 'f1_f2')
    try {
      await mkdir(live, { recursive: true })
      await cp(join(teamPairDir(), 'agent1.patch'), join(live, 'agent1.patch'))
      // Running agents have journals, not trajectory files yet.
      for (const file of ['agent1_traj.json', 'agent2_traj.json']) {
        const { messages, status: _s, cost: _c, steps: _n, ...header } = JSON.parse(await readFile(join(teamPairDir(), file), 'utf8'))
        await writeFile(join(live, trajectoryJournalName(file)), journalLines(messages, header))
      }
      const during = await source.data()
      expect(during.runs.map((r) => r.name)).toEqual([...before.runs.map((r) => r.name), 'live-run'].sort())
      const pair = during.pairs.find((p) => p.run === 'live-run')!
      expect(pair).toMatchObject({ state: 'running', verdict: 'not_evaluated', merge: null })
      const detail = (await source.pair(pair.id))!
      // No conversation.json until the pair ends: the messages come from what each reader saw.
      expect(detail.messages.map((m) => `${m.from}->${m.to}`).sort()).toEqual(['agent1->agent2', 'agent2->agent1'])
      expect(detail.messages.every((m) => m.sentAt !== null && m.readAt !== null && m.sentAt <= m.readAt)).toBe(true)
      expect(detail.lanes.map((l) => l.steps.length)).toEqual([6, 6])
    } finally {
      await rm(join(fixture.logs, 'live-run'), { recursive: true, force: true })
    }
  })

  it('fails with RUN_NOT_FOUND and a hint naming the runs for a missing run or log dir', async (ctx) => {
    requireOrSkip(problem, ctx)
    const missingRun = await new ViewerSource({ logDir: fixture.logs, runs: ['nope'] }).check().catch((e: unknown) => e)
    expect(isCooperbenchError(missingRun)).toBe(true)
    expect(missingRun).toMatchObject({
      code: 'RUN_NOT_FOUND',
      message: expect.stringContaining('no run "nope"'),
      hint: expect.stringContaining(FIXTURE.coopRun),
    })
    const missingDir = await new ViewerSource({ logDir: join(fixture.root, 'no-logs') }).check().catch((e: unknown) => e)
    expect(missingDir).toMatchObject({ code: 'RUN_NOT_FOUND', hint: expect.stringContaining('--log-dir') })
  })
})

describe('pair page data', () => {
  it('a coop pair with messages, git and a conflict: lanes, steps, messages sent then read, shared file, overlaps, failing tests first', async (ctx) => {
    requireOrSkip(problem, ctx)
    const source = new ViewerSource({ logDir: fixture.logs, runs: [FIXTURE.teamRun] })
    const [summary] = (await source.data()).pairs
    const detail = (await source.pair(summary!.id))!
    const result = JSON.parse(await readFile(join(teamPairDir(), 'result.json'), 'utf8'))

    expect(detail.lanes.map((l) => [l.id, l.featureIds, l.status])).toEqual([
      ['agent1', [1], 'Submitted'],
      ['agent2', [2], 'Submitted'],
    ])
    for (const lane of detail.lanes) {
      expect(lane.steps).toHaveLength(result.agents[lane.id].steps)
      expect(lane.steps.reduce((sum, s) => sum + s.tokens.input, 0)).toBe(result.agents[lane.id].input_tokens)
      expect(lane.steps.reduce((sum, s) => sum + s.cost, 0)).toBeCloseTo(result.agents[lane.id].cost, 9)
      expect(lane.steps.every((s) => s.timed && s.start <= s.end && s.start >= detail.start && s.end <= detail.end)).toBe(true)
      expect(lane.steps.flatMap((s) => s.git)).toEqual(['push', 'fetch'])
      expect(lane.steps[0]!.sends).toEqual([lane.id === 'agent1' ? 'agent2' : 'agent1'])
      expect(lane.steps.at(-1)!.submitted).toBe(true)
      expect(lane.steps[1]!.output).toContain('def slugify')
    }
    expect(detail.messages).toHaveLength(2)
    for (const message of detail.messages) {
      expect(message.text).toMatch(/here: I am implementing feature \d/)
      expect(message.readAt).not.toBeNull()
      expect(message.readAt!).toBeGreaterThanOrEqual(message.sentAt!)
    }
    expect(detail.sharedFiles).toEqual(['textkit/slug.py'])
    expect(detail.lanes.every((l) => l.patch.files.find((f) => f.path === 'textkit/slug.py')?.shared)).toBe(true)
    expect(detail.overlaps.length).toBeGreaterThan(0)
    expect(detail.overlaps[0]).toMatchObject({ path: 'textkit/slug.py', agents: ['agent1', 'agent2'] })
    expect(detail.merge).toMatchObject({
      status: 'conflicts',
      strategy: 'union',
      outcome: 'union',
      policy: 'cooperbench-0.0.14',
      applyStatus: { agent1: 'applied', agent2: 'applied' },
    })
    expect(detail.merge!.diff.files.map((f) => f.path)).toEqual(['textkit/slug.py'])
    expect(detail.tests.map((t) => t.passed)).toEqual([false, false])
    expect(detail.tests[0]!.failing).toEqual(['tests/test_slug.py ERROR'])
  })

  it('an oracle pair without timestamps: its steps are spread over the pair, a solo pair has one lane and no merge', async (ctx) => {
    requireOrSkip(problem, ctx)
    const source = new ViewerSource({ logDir: fixture.logs, runs: [FIXTURE.soloRun, FIXTURE.coopRun] })
    const pairs = (await source.data()).pairs
    const coop = (await source.pair(pairs.find((p) => p.setting === 'coop')!.id))!
    expect(coop.lanes).toHaveLength(2)
    for (const lane of coop.lanes) {
      expect(lane.steps.length).toBeGreaterThan(0)
      expect(lane.steps.every((s) => !s.timed && s.start >= coop.start && s.end <= coop.end)).toBe(true)
      expect(lane.steps[0]!.commands[0]).toMatch(/^git apply /)
    }
    const solo = (await source.pair(pairs.find((p) => p.setting === 'solo')!.id))!
    expect(solo.lanes.map((l) => [l.id, l.featureIds.length])).toEqual([['solo', 2]])
    expect(solo.merge).toBeNull()
    expect(solo.tests.every((t) => t.passed)).toBe(true)
    expect(await source.pair('0000000000000000')).toBeNull()
  })

  it('an evaluation error (the sandbox did not start) is its own outcome: no failed merge, no failed features', async (ctx) => {
    requireOrSkip(problem, ctx)
    const logs = join(fixture.root, 'infra-logs')
    await cp(join(fixture.logs, FIXTURE.coopRun), join(logs, 'infra-run'), { recursive: true })
    const pairDir = join(logs, 'infra-run', 'coop', 'textkit_task', '7', 'f1_f2')
    const record = evalErrorRecord(
      { repo: 'textkit_task', task_id: 7, features: [1, 2], setting: 'coop', merged: true },
      'Sandbox failed to start: docker: Cannot connect to the Docker daemon',
      new Date().toISOString(),
    )
    await writeFile(join(pairDir, 'eval.json'), JSON.stringify(record))
    const source = new ViewerSource({ logDir: logs })
    const data = await source.data()
    const pair = data.pairs.find((p) => p.label === 'textkit_task/7 f1_f2')!
    expect(pair).toMatchObject({ verdict: 'error', merge: { outcome: 'eval_error' }, tests: [] })
    const detail = (await source.pair(pair.id))!
    expect(detail.merge?.outcome).toBe('eval_error')
    expect(detail.tests).toEqual([])
    expect(detail.evalError).toMatch(/^Sandbox failed to start/)
    const row = data.report.settings[0]!
    expect([row.errors, row.merge.error]).toEqual([1, 1])
    expect(row.byMerge.reduce((sum, m) => sum + m.pairs, 0)).toBe(row.passed + row.failed)
  })

  it('a pair whose model had no price has an unknown cost, not $0, in the pair list, the run card and the report rows', async (ctx) => {
    requireOrSkip(problem, ctx)
    const logs = join(fixture.root, 'unpriced-logs')
    await cp(join(fixture.logs, FIXTURE.coopRun), join(logs, 'unpriced'), { recursive: true })
    const pairDir = join(logs, 'unpriced', 'coop', 'textkit_task', '7', 'f1_f2')
    // What mini_swe_agent wrote for a model call without a price before result.json said cost_unknown: the trajectory's mark.
    const trajectoryPath = join(pairDir, 'agent1_traj.json')
    const trajectory = JSON.parse(await readFile(trajectoryPath, 'utf8')) as { messages: unknown[] }
    trajectory.messages.push({ role: 'assistant', content: 'done', extra: { cost: 0, cost_unknown: true, usage: {}, timestamp: 0, segment: 0 } })
    await writeFile(trajectoryPath, JSON.stringify(trajectory))
    const source = new ViewerSource({ logDir: logs })
    const data = await source.data()
    const unpriced = data.pairs.filter((p) => p.costUnknown).map((p) => p.label)
    expect(unpriced).toEqual(['textkit_task/7 f1_f2'])
    expect(data.runs[0]!.costUnknownPairs).toBe(1)
    expect(data.report.settings[0]!.costUnknownPairs).toBe(1)
    expect((await source.pair(data.pairs.find((p) => p.costUnknown)!.id))!.summary.costUnknown).toBe(true)
  })
})

describe('server and export', () => {
  it('serves the page and the JSON; a taken port is a USAGE error with a hint', async (ctx) => {
    requireOrSkip(problem, ctx)
    const viewer = await startViewer({ logDir: fixture.logs, port: 0 })
    try {
      expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
      const page = await fetch(viewer.url)
      expect(await page.text()).toContain('<script src="app.js"></script>')
      expect((await fetch(`${viewer.url}app.js`)).headers.get('content-type')).toContain('javascript')
      const data = await (await fetch(`${viewer.url}api/data`)).json()
      expect(data.runs).toHaveLength(3)
      const pair = await fetch(`${viewer.url}api/pairs/${data.pairs[0].id}`)
      expect((await pair.json()).lanes.length).toBeGreaterThan(0)
      expect((await fetch(`${viewer.url}api/pairs/0000000000000000`)).status).toBe(404)
      expect((await fetch(`${viewer.url}../../etc/passwd`)).status).toBe(404)
      const clash = await startViewer({ logDir: fixture.logs, port: viewer.port }).catch((e: unknown) => e)
      expect(clash).toMatchObject({ code: 'USAGE', message: expect.stringContaining('in use'), hint: expect.stringContaining('--port') })
    } finally {
      await viewer.close()
    }
  })

  it('exports the app and every pair as scripts that define the same data', async (ctx) => {
    requireOrSkip(problem, ctx)
    const outDir = join(fixture.root, 'export')
    const exported = await exportViewer({ logDir: fixture.logs, runs: [FIXTURE.teamRun], outDir })
    expect(exported).toMatchObject({ runs: 1, pairs: 1 })
    const html = await readFile(exported.index, 'utf8')
    expect(html).toContain('"mode":"static"')
    expect(html).toContain('<script src="data/viewer-data.js"></script>')
    const window: Record<string, any> = {}
    runInNewContext(await readFile(join(outDir, 'data', 'viewer-data.js'), 'utf8'), { window })
    const id = window.COOPERBENCH_DATA.pairs[0].id
    runInNewContext(await readFile(join(outDir, 'data', 'pairs', `${id}.js`), 'utf8'), { window })
    expect(window.COOPERBENCH_PAIRS[id].messages).toHaveLength(2)
    // An export names no folder of this machine: the log dir by its name only.
    expect(window.COOPERBENCH_DATA.logDir).toBe('logs')
    expect((await readFile(join(outDir, 'app.js'), 'utf8')).length).toBeGreaterThan(1000)
  })
})
