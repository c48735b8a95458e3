import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ViewerSource } from '../src/index.js'
import { PLAN, writePhasedRun, writeTwoPhaseRun } from './support/phased-run.js'

/** The Node side of a pair whose setting ran its seats in phases (result.json `phases`), a setting the viewer does not know. */
let logDir: string
let pairDir: string

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'cb-viewer-phases-'))
  pairDir = await writePhasedRun(logDir, 'seq-run')
  await writeTwoPhaseRun(logDir, 'pe-run')
})
afterAll(() => rm(logDir, { recursive: true, force: true }))

describe('a pair run in phases', () => {
  it('lists its run and setting in the overview, with the setting’s own report row', async () => {
    const data = await new ViewerSource({ logDir, runs: ['seq-run'] }).data()
    expect(data.runs.map((r) => [r.name, r.settings, r.pairs, r.finished])).toEqual([['seq-run', ['sequential'], 1, 1]])
    expect(data.report.settings.map((s) => [s.setting, s.runs[0], s.passed, s.failed])).toEqual([['sequential', 'seq-run', 0, 1]])
    expect(data.pairs.map((p) => [p.setting, p.agents.map((a) => a.id), p.steps])).toEqual([['sequential', ['agent1', 'agent2'], 4]])
  })

  it('gives each seat its lane with its phase, role, what it started from and its artifact; the phases their times', async () => {
    const source = new ViewerSource({ logDir, runs: ['seq-run'] })
    const detail = (await source.pair((await source.data()).pairs[0]!.id))!
    const start = Date.UTC(2026, 5, 8, 10) / 1000
    expect(detail.phases).toEqual([
      { name: 'implement', start, end: start + 50 },
      { name: 'review', start: start + 60, end: start + 120 },
    ])
    expect(detail.lanes.map((l) => [l.id, l.phase, l.role, l.startedFrom, l.artifact])).toEqual([
      ['agent1', 'implement', 'implementer', null, { file: 'agent1.plan.txt', text: PLAN }],
      ['agent2', 'review', 'reviewer', 'agent1', null],
    ])
    // agent2's patch holds agent1's work and its own tests; a later phase's patch is not a teammate's edit of the same file.
    expect(detail.lanes[1]!.patch.files.map((f) => f.path)).toEqual(['tests/test_slug.py', 'textkit/slug.py'])
    expect([detail.sharedFiles, detail.overlaps]).toEqual([[], []])
    expect(detail.lanes.map((l) => l.steps.length)).toEqual([2, 2])
    expect(detail.problems).toEqual([])
  })

  it('reads no artifact that result.json names outside the pair folder, and says so', async () => {
    const result = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(pairDir, 'result.json'), 'utf8')))
    result.phases[0].seats[0].artifact = '../../../../config.json'
    await writeFile(join(pairDir, 'result.json'), JSON.stringify(result))
    const source = new ViewerSource({ logDir, runs: ['seq-run'], maxAgeMs: 0 })
    const detail = (await source.pair((await source.data()).pairs[0]!.id))!
    expect(detail.lanes[0]!.artifact).toEqual({ file: '../../../../config.json', text: null })
    expect(detail.problems).toEqual([expect.stringMatching(/names the artifact "..\/..\/..\/..\/config.json", which is not a file of the pair folder/)])
  })

  it('gives a seat carried through two phases a lane per phase, each with its role, files and artifact; messages go to the lanes of their time', async () => {
    const source = new ViewerSource({ logDir, runs: ['pe-run'] })
    const id = (await source.data()).pairs[0]!.id
    const detail = (await source.pair(id))!
    expect(detail.lanes.map((l) => [l.id, l.agentId, l.phase, l.role, l.trajectoryFile, l.artifact])).toEqual([
      ['agent1@plan', 'agent1', 'plan', 'planner', 'phase1/agent1_traj.json', { file: 'phase1/agent1.plan', text: 'Plan of agent1\n' }],
      ['agent2@plan', 'agent2', 'plan', 'planner', 'phase1/agent2_traj.json', { file: 'phase1/agent2.plan', text: 'Plan of agent2\n' }],
      ['agent1@execute', 'agent1', 'execute', 'executor', 'agent1_traj.json', null],
      ['agent2@execute', 'agent2', 'execute', 'executor', 'agent2_traj.json', null],
    ])
    expect(detail.lanes.map((l) => l.steps.length)).toEqual([1, 1, 1, 1])
    expect(detail.messages.map((m) => [m.from, m.to])).toEqual([['agent1@execute', 'agent2@execute']])
    expect(detail.problems).toEqual([])
    // Each lane's raw trajectory is served, in its phase's folder too; nothing else is.
    expect(await source.trajectoryFile(id, 'phase1/agent1_traj.json')).toBe(
      join(logDir, 'pe-run', 'plan-execute', 'textkit_task', '7', 'f1_f2', 'phase1', 'agent1_traj.json'),
    )
    expect(await source.trajectoryFile(id, 'phase1/agent1.plan')).toBeNull()
  })
})
