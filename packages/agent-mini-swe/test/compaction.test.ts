import { describe, expect, it } from 'vitest'
import { keptTurnsStart } from '../src/agent/compaction.js'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { agentWith, bash, contents, reply, runContext, SUBMIT, scriptedModel } from './fakes.js'

const summaryReply = (text: string, cost = 0.2) => reply([], { text, cost, usage: { inputTokens: 900, outputTokens: 300 } })

describe('context compaction', () => {
  it('replaces older turns by one summary, keeping system, task and the last 2 turns', async () => {
    const model = scriptedModel([
      bash('cmd-a', { usage: { inputTokens: 500 } }),
      bash('cmd-b', { usage: { inputTokens: 800 } }),
      bash('cmd-c', { usage: { inputTokens: 1500 } }),
      summaryReply('We looked at a, b and c.'),
      bash(SUBMIT),
    ])
    const result = await agentWith(model, { compaction: { trigger_tokens: 1000 } }).run(runContext())
    expect(result.status).toBe('Submitted')

    const summaryRequest = model.requests[3]!
    expect(summaryRequest.tools).toEqual([])
    const transcript = summaryRequest.messages.at(-1)!.content
    expect(transcript).toContain('$ cmd-a')
    expect(transcript).not.toContain('$ cmd-b')
    expect(transcript).toContain('Write a summary of the work above')

    const after = model.requests[4]!.messages
    expect(after.map((m) => m.role)).toEqual(['system', 'user', 'user', 'assistant', 'tool', 'assistant', 'tool'])
    expect(after[2]!.content).toMatch(/^\[Summary of your earlier work\.[^\n]*\]\n\nWe looked at a, b and c\.$/)
    expect(after[3]!.toolCalls?.[0]?.arguments).toContain('cmd-b')
    expect(after[5]!.toolCalls?.[0]?.arguments).toContain('cmd-c')
  })

  it("counts the summary call's cost and tokens, but not as a step", async () => {
    const model = scriptedModel([bash('a', { usage: { inputTokens: 2000 } }), summaryReply('s', 0.2), bash(SUBMIT)])
    const result = await agentWith(model, { compaction: { trigger_tokens: 1000, keep_last: 0 } }).run(runContext())
    expect(result.steps).toBe(2)
    expect(result.cost).toBeCloseTo(0.22)
    expect(result.input_tokens).toBe(2000 + 900 + 100)
    expect(result.output_tokens).toBe(10 + 300 + 10)
  })

  it('checks the cost limit again after a summary', async () => {
    const model = scriptedModel([bash('a', { cost: 0.1, usage: { inputTokens: 2000 } }), summaryReply('s', 1), bash('never')])
    const options = { cost_limit: 1, compaction: { trigger_tokens: 1000, keep_last: 0 } }
    const result = await agentWith(model, options).run(runContext({ options }))
    expect(result).toMatchObject({ status: 'LimitsExceeded', steps: 1 })
    expect(model.requests).toHaveLength(2)
  })

  it('keeps the whole history in the trajectory, marking segments and the summary', async () => {
    const model = scriptedModel([bash('a'), bash('b', { usage: { inputTokens: 2000 } }), summaryReply('s'), bash(SUBMIT)])
    const result = await agentWith(model, { compaction: { trigger_tokens: 1000, keep_last: 1 } }).run(runContext())
    const messages = result.messages as TrajectoryMessage[]
    expect(messages.map((m) => [m.role, m.extra.segment])).toEqual([
      ['system', 0],
      ['user', 0],
      ['assistant', 0],
      ['tool', 0],
      ['assistant', 0],
      ['tool', 0],
      ['user', 1],
      ['assistant', 1],
      ['tool', 1],
      ['exit', 1],
    ])
    expect(messages[6]!.extra).toMatchObject({ summary: true, summarised_messages: 2, cost: 0.2, usage: { output_tokens: 300 } })
    // the model saw: system, task, summary, the kept turn (b), then its new turn
    expect(model.requests[3]!.messages.map((m) => m.role)).toEqual(['system', 'user', 'user', 'assistant', 'tool'])
  })

  it('does nothing when there is nothing older than the kept turns', async () => {
    const model = scriptedModel([bash('a', { usage: { inputTokens: 5000 } }), bash(SUBMIT)])
    const result = await agentWith(model, { compaction: { trigger_tokens: 1000, keep_last: 2 } }).run(runContext())
    expect(result.status).toBe('Submitted')
    expect(contents(model.requests[1])).toHaveLength(4)
  })

  it('never compacts when disabled', async () => {
    const model = scriptedModel([bash('a', { usage: { inputTokens: 99_999 } }), bash(SUBMIT)])
    const result = await agentWith(model, { compaction: { enabled: false, trigger_tokens: 10, keep_last: 0 } }).run(runContext())
    expect(result.status).toBe('Submitted')
    expect(model.requests).toHaveLength(2)
  })
})

describe('keptTurnsStart', () => {
  const m = (role: TrajectoryMessage['role']) => ({ role }) as TrajectoryMessage
  const turns = [m('user'), m('assistant'), m('tool'), m('assistant'), m('tool'), m('user'), m('assistant'), m('tool')]

  it('finds the start of the last n assistant turns', () => {
    expect(keptTurnsStart(turns, 2)).toBe(3)
    expect(keptTurnsStart(turns, 1)).toBe(6)
  })

  it('keeps nothing for n = 0 and everything from the first assistant turn when n is larger', () => {
    expect(keptTurnsStart(turns, 0)).toBe(turns.length)
    expect(keptTurnsStart(turns, 5)).toBe(1)
  })
})
