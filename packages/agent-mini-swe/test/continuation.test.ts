import { describe, expect, it } from 'vitest'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { agentWith, bash, contents, reply, runContext, SUBMIT, scriptedModel } from './fakes.js'

const NEXT = 'Now review your change and submit again.'
const steps = { steps: 1, costUsd: 0, wallClockSeconds: null }

describe('a seat carried into a later phase (`ctx.previous`)', () => {
  it('resumes the conversation with the next instruction as a plain user message, counting its steps and cost afresh', async () => {
    const first = scriptedModel([bash('ls'), bash(SUBMIT)])
    const earlier = await agentWith(first).run(runContext())
    expect(earlier.status).toBe('Submitted')
    const second = scriptedModel([bash(SUBMIT)])
    // One step allowed: the earlier run's two do not count.
    const ctx = runContext({ previous: earlier, instructions: NEXT, limits: steps })
    const result = await agentWith(second).run(ctx)
    expect(result).toMatchObject({ status: 'Submitted', steps: 1, cost: 0.01 })
    const carried = (earlier.messages as TrajectoryMessage[]).slice(0, -1)
    expect(contents(second.requests[0])).toEqual([...carried.map((m) => m.content), NEXT])
    // The record goes on from the earlier one (its exit left out), so a later phase can resume this one too.
    const messages = result.messages as TrajectoryMessage[]
    expect(messages.slice(0, carried.length)).toEqual(carried.map((m) => ({ ...m, extra: { ...m.extra, carried: true } })))
    expect(messages.filter((m) => m.role === 'exit')).toHaveLength(1)
    expect(ctx.saves[0]!.length).toBe(carried.length + 1)
  })

  it('resumes from the compacted context, not the whole record, and goes on counting compactions', async () => {
    const options = { compaction: { trigger_tokens: 100, keep_last: 1 } }
    const first = scriptedModel([bash('echo one'), bash('echo two', { usage: { inputTokens: 500 } }), reply([], { text: 'the summary' }), bash(SUBMIT)])
    const earlier = await agentWith(first, options).run(runContext({ options }))
    expect((earlier.messages as TrajectoryMessage[]).some((m) => m.extra.summary)).toBe(true)
    const second = scriptedModel([bash(SUBMIT)])
    const result = await agentWith(second, options).run(runContext({ options, previous: earlier, instructions: NEXT }))
    const [submitted, observed] = (earlier.messages as TrajectoryMessage[]).slice(-3, -1)
    expect(contents(second.requests[0])).toEqual([...contents(first.requests.at(-1)), submitted!.content, observed!.content, NEXT])
    expect((result.messages as TrajectoryMessage[]).at(-2)!.extra.segment).toBe(1)
  })
})
