import type { Seat } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { planExecuteSetting } from '../src/plan-execute-setting.js'
import { PLAN_FILE, PLANNING_HEADING } from '../src/planning-task.js'
import { fakePair, type SeatPlay } from './support/fake-pair.js'

const upstream = planExecuteSetting({ withFeature: false })

/** Planners hand in a plan naming their feature (with a trailing blank line, kept verbatim); executors a patch. */
function planAndPatch(seat: Seat, phase?: string): SeatPlay {
  const feature = seat.featureIds[0]
  return phase === 'plan' ? { cost: 0.5, steps: 3, artifact: `Plan for feature ${feature}.\n\n` } : { cost: 1, steps: 5, patch: `diff ${feature}\n` }
}

const seatsOf = (phase: { seats: Seat[] } | undefined) => phase!.seats

describe('setting plan-execute (upstream PR #70)', () => {
  it('phase plan: a coop-framed planner per feature, told its feature and to hand in plan.txt, with its files in phase1/', async () => {
    const fake = fakePair({ play: planAndPatch })
    await upstream.run(fake.pair)
    expect(fake.phases.map((p) => p.phase)).toEqual(['plan', 'execute'])
    const [planner1, planner2] = seatsOf(fake.phases[0])
    expect(planner1).toMatchObject({ agentId: 'agent1', featureIds: [2], role: 'planner', artifact: PLAN_FILE, peers: ['agent2'] })
    expect(planner1!.files).toEqual({
      trajectory: 'phase1/agent2_traj.json',
      patch: 'phase1/agent2.patch',
      worktreePatch: 'phase1/agent2.worktree.patch',
      artifact: 'phase1/agent2.plan',
    })
    expect(planner1!.instructions.startsWith('Feature 2: make it so.\n\n## Planning phase\n')).toBe(true)
    expect(planner1!.instructions).toContain('do not change the source code')
    expect(planner1!.instructions).toContain('Agree with your teammates now')
    expect(planner2!.instructions.startsWith('Feature 4: make it so.')).toBe(true)
    // The planners message on a channel of their own; the executors on the pair's.
    expect(fake.channels).toEqual(['plan', '(pair)'])
    expect(fake.files.get('phase1/conversation.json')).toEqual([])
  })

  it("phase execute: fresh agents, each given its own planner's plan verbatim, under upstream's file names, judged as coop", async () => {
    const fake = fakePair({ play: planAndPatch })
    await upstream.run(fake.pair)
    const executors = seatsOf(fake.phases[1])
    expect(executors.map((s) => [s.agentId, s.featureIds, s.instructions])).toEqual([
      ['agent1', [2], 'Plan for feature 2.\n\n'],
      ['agent2', [4], 'Plan for feature 4.\n\n'],
    ])
    expect(executors[0]).toMatchObject({ role: 'executor', peers: ['agent2'] })
    expect(executors[0]!.artifact).toBeUndefined()
    expect(executors[0]!.files).toMatchObject({ trajectory: 'agent2_traj.json', patch: 'agent2.patch' })
    const judged = upstream.judged([2, 4])
    expect(judged.rule).toBe('merge')
    expect(judged.rule === 'merge' && judged.patches.map((p) => p.file)).toEqual(['agent2.patch', 'agent4.patch'])
  })

  it("result.json: each feature's agent as its executor, with both phases' cost and steps summed and apart; totals over both phases", async () => {
    const fake = fakePair({ play: planAndPatch })
    const outcome = await upstream.run(fake.pair)
    expect(outcome).toMatchObject({ messaging: true, git: false })
    expect(outcome.record).toEqual({
      agents: {
        agent1: expect.objectContaining({ feature_id: 2, status: 'Submitted', cost: 1.5, steps: 8, input_tokens: 20, patch_lines: 1, plan_lines: 2 }),
        agent2: expect.objectContaining({ feature_id: 4, phase1_cost: 0.5, phase2_cost: 1, phase1_steps: 3, phase2_steps: 5, error: null }),
      },
      total_cost: 3,
      total_steps: 16,
      messages_sent: 0,
      phase1_messages_sent: 0,
    })
    expect(fake.files.get('conversation.json')).toEqual([])
  })

  it('without messaging (or alone) a planner is not told to agree with teammates', async () => {
    const fake = fakePair({ messaging: false, play: planAndPatch })
    await upstream.run(fake.pair)
    const [planner] = seatsOf(fake.phases[0])
    expect(planner!.instructions).toContain(PLANNING_HEADING)
    expect(planner!.instructions).not.toContain('teammates')
    expect(fake.channels).toEqual([])
  })

  it("a planner that hands in no plan (no plan.txt, or a blank one): no executor runs, and every feature's agent records why", async () => {
    for (const artifact of [undefined, ' \n']) {
      const fake = fakePair({ play: (seat, phase) => (seat.agentId === 'agent2' ? { steps: 4, artifact } : planAndPatch(seat, phase)) })
      const outcome = await upstream.run(fake.pair)
      expect(fake.phases.map((p) => p.phase)).toEqual(['plan'])
      const why = `no executor ran: in the plan phase agent2 (feature 4) ended Submitted without writing ${PLAN_FILE}`
      expect(outcome.record).toMatchObject({
        agents: {
          agent1: { feature_id: 2, status: 'Error', error: why, failure: 'agent', patch_lines: 0, plan_lines: 2, cost: 0.5, phase2_steps: 0 },
          agent2: { feature_id: 4, status: 'Error', error: why, failure: 'agent', patch_lines: 0, plan_lines: artifact ? 1 : 0, steps: 4 },
        },
        messages_sent: 0,
      })
      expect(fake.warnings).toEqual([`textkit_task/task12 features 2,4: ${why}`])
      expect(fake.files.has('conversation.json')).toBe(false)
    }
  })

  it("a planner the infrastructure stopped leaves every feature's agent an infrastructure failure (the pair is then not judged)", async () => {
    const fake = fakePair({
      play: (seat, phase) => (seat.agentId === 'agent1' ? { status: 'Error', error: 'sandbox lost', failure: 'infra' } : planAndPatch(seat, phase)),
    })
    const outcome = await upstream.run(fake.pair)
    const agents = (outcome.record as { agents: Record<string, { failure?: string; error: string }> }).agents
    expect(Object.values(agents).map((a) => a.failure)).toEqual(['infra', 'infra'])
    expect(agents.agent2!.error).toBe(`no executor ran: in the plan phase agent1 (feature 2) ended Error (sandbox lost) without writing ${PLAN_FILE}`)
  })

  it("withFeature: each executor gets its feature's text after its plan; the run's records and name say so", async () => {
    const withFeature = planExecuteSetting({ withFeature: true })
    const fake = fakePair({ play: planAndPatch })
    await withFeature.run(fake.pair)
    expect(seatsOf(fake.phases[1])[0]!.instructions).toBe('Plan for feature 2.\n\n\n\n---\n\nFeature 2: make it so.\n')
    const facts = { messaging: true, git: false, features: 2 }
    expect(withFeature.shape(facts)).toMatchObject({ nameParts: ['with-feature'], record: { executors_see_feature: true } })
    expect(upstream.shape(facts)).toMatchObject({ peers: true, nameParts: [], record: { executors_see_feature: false } })
    expect(upstream.shape(facts).agents(2)).toBe(4)
  })
})
