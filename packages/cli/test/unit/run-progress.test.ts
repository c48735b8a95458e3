import type { AgentReport } from '@cooperbench/core/runner'
import { describe, expect, it } from 'vitest'
import { type CooperbenchEvent, pairRef } from '../../src/api/events.js'
import { agentFinishedText, formatDuration, formatTokens, messageText, oneLine, pairTitle, spendText } from '../../src/ui/progress-lines.js'
import { createRunProgress } from '../../src/ui/run-progress.js'
import { formatRunSummary } from '../../src/ui/summary-text.js'

/** A stream that keeps what is written, a terminal or not. */
function captureStream(isTTY: boolean) {
  const chunks: string[] = []
  const stream = { isTTY, columns: 160, write: (chunk: string) => (chunks.push(chunk), true) } as unknown as NodeJS.WriteStream
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean) }
}

const pair = pairRef('coop', 'llama_index_task', 8394, [1, 2])
const report = (agentId: string, extra: Partial<AgentReport> = {}): AgentReport => ({
  agentId,
  featureIds: [agentId === 'agent1' ? 1 : 2],
  status: 'Submitted',
  steps: 12,
  cost: 0.0125,
  costUnknown: false,
  inputTokens: 40_000,
  outputTokens: 2_100,
  error: null,
  ...extra,
})
const message = (from: string, to: string, content: string) => ({ from, to, content, timestamp: '2026-01-01T00:00:00+00:00' })
const result = { setting: 'coop', duration_seconds: 222, agents: { agent1: { status: 'Submitted' }, agent2: { status: 'Submitted' } } }

/** One coop pair of a run of two, from start to verdict. */
function onePair(agents: [AgentReport, AgentReport]): CooperbenchEvent[] {
  return [
    { type: 'planned', runName: 'r', total: 2, toRun: 2, reused: 0, toEvaluate: 2 },
    { type: 'pairStarted', pair },
    { type: 'agentStarted', pair, agent: { agentId: 'agent1', featureIds: [1] } },
    { type: 'agentStarted', pair, agent: { agentId: 'agent2', featureIds: [2] } },
    { type: 'messageSent', pair, message: message('agent1', 'agent2', "I'm adding a new method to the BaseIndex class") },
    { type: 'agentFinished', pair, agent: agents[0] },
    { type: 'agentFinished', pair, agent: agents[1] },
    { type: 'pairFinished', pair, outcome: { status: 'done' }, result: result as never },
    { type: 'evalFinished', pair, verdict: 'pass', record: { merge: { status: 'clean', strategy: 'naive' } } as never },
  ]
}

describe('progress lines', () => {
  it('name a pair and its agents as the CooperBench docs do', () => {
    expect(pairTitle(pair)).toBe('llama_index_task/task8394 features_1_2')
    expect(messageText(message('agent1', 'agent2', 'Acknowledged'))).toBe('Agent 1 → Agent 2: "Acknowledged"')
    expect(agentFinishedText(report('agent2'))).toBe('Agent 2: Submitted · 12 steps · 42.1k tokens · $0.0125')
    expect(agentFinishedText(report('solo', { status: 'Error', steps: 1, error: 'model\nunreachable' }))).toBe(
      'Solo: Error · 1 step · 42.1k tokens · $0.0125: model unreachable',
    )
  })

  it('show a message on one line, cut with … to its preview length', () => {
    const long = `first line\n\n  second line ${'x'.repeat(200)}`
    const line = messageText(message('agent2', 'agent1', long))
    expect(line).not.toContain('\n')
    expect(line).toBe(`Agent 2 → Agent 1: "first line second line ${'x'.repeat(80 - 'first line second line '.length - 1)}…"`)
    expect(oneLine('short', 80)).toBe('short')
    expect(oneLine('a😀b😀c', 4)).toBe('a😀b…')
  })

  it('never show an unknown cost as $0, and say the cost limit is off', () => {
    expect(spendText({ usd: 0, known: 0, unknown: 2 })).toBe('cost unknown (no price for the model: cost limit off)')
    expect(spendText({ usd: 0.5, known: 1, unknown: 1 })).toBe('≥ $0.5000 (partly unknown, no price for the model: cost limit off)')
    expect(spendText({ usd: 0, known: 2, unknown: 0 })).toBe('$0.0000')
    expect(agentFinishedText(report('agent1', { cost: 0, costUnknown: true }))).toContain('cost unknown')
  })

  it('format tokens and durations compactly', () => {
    expect([formatTokens(950), formatTokens(48_230), formatTokens(1_310_000)]).toEqual(['950', '48.2k', '1.31M'])
    expect([formatDuration(42.4), formatDuration(59.6), formatDuration(222), formatDuration(7_500)]).toEqual(['42s', '1m00s', '3m42s', '2h05m'])
  })
})

describe('run progress', () => {
  it('off a terminal prints plain [Task i/N] lines: the pair, its agents, messages, completion with time, tokens and cost, the verdict', () => {
    const out = captureStream(false)
    const progress = createRunProgress({ autoEval: true, stream: out.stream })
    for (const event of onePair([report('agent1'), report('agent2')])) progress.onEvent(event)
    progress.stop()
    expect(out.lines()).toEqual([
      '[Task 1/2] llama_index_task/task8394 features_1_2',
      '[Task 1/2]   Agent 1: implementing feature 1…',
      '[Task 1/2]   Agent 2: implementing feature 2…',
      `[Task 1/2]   Agent 1 → Agent 2: "I'm adding a new method to the BaseIndex class"`,
      '[Task 1/2]   Agent 1: Submitted · 12 steps · 42.1k tokens · $0.0125',
      '[Task 1/2]   Agent 2: Submitted · 12 steps · 42.1k tokens · $0.0125',
      '[Task 1/2] ✓ llama_index_task/task8394 features_1_2 complete in 3m42s · 84.2k tokens · $0.0250',
      '[Task 1/2] eval llama_index_task/task8394 features_1_2: pass (merge clean)',
    ])
    expect(out.text()).not.toContain('\r')
  })

  it('--quiet keeps the completion and verdict lines only', () => {
    const out = captureStream(false)
    const progress = createRunProgress({ autoEval: true, quiet: true, stream: out.stream })
    for (const event of onePair([report('agent1'), report('agent2')])) progress.onEvent(event)
    expect(out.lines()).toEqual([
      '[Task 1/2] ✓ llama_index_task/task8394 features_1_2 complete in 3m42s · 84.2k tokens · $0.0250',
      '[Task 1/2] eval llama_index_task/task8394 features_1_2: pass (merge clean)',
    ])
  })

  it('on a terminal keeps a live line with tokens and cost so far under the same lines; an unknown price reads as unknown with the limit off', () => {
    const out = captureStream(true)
    const progress = createRunProgress({ autoEval: true, stream: out.stream })
    const unknown = { cost: 0, costUnknown: true }
    for (const event of onePair([report('agent1', unknown), report('agent2', unknown)])) progress.onEvent(event)
    const screen = out.text().split('\r\x1b[2K')
    const liveLines = screen.filter((part) => part.startsWith('[#') || part.startsWith('[.'))
    expect(liveLines.at(-1)).toMatch(
      /^\[#+\.+\] 1\/2 pairs · running 0 · evaluated 1\/2 · pass 100\.0% · 84\.2k tokens · cost unknown \(cost limit off\) · ETA /,
    )
    expect(out.text()).toContain(
      '[Task 1/2] ✓ llama_index_task/task8394 features_1_2 complete in 3m42s · 84.2k tokens · cost unknown (no price for the model: cost limit off)\n',
    )
    expect(out.text()).not.toMatch(/\$0\.0000/)
    progress.stop()
  })

  it('a failed pair says how long it ran and why; pairs reused from an earlier invocation get no number', () => {
    const out = captureStream(false)
    const progress = createRunProgress({ autoEval: false, stream: out.stream })
    const other = pairRef('coop', 'textkit_task', 7, [1, 2])
    progress.onEvent({ type: 'planned', runName: 'r', total: 2, toRun: 1, reused: 1, toEvaluate: 0 })
    progress.onEvent({ type: 'pairFinished', pair: other, outcome: { status: 'skip' }, result: null })
    progress.onEvent({ type: 'pairStarted', pair })
    progress.onEvent({ type: 'pairFinished', pair, outcome: { status: 'error', error: 'backend docker: engine unreachable' }, result: null })
    expect(out.lines()).toEqual([
      '1 pair(s) already finished: reusing their results',
      '[Task 1/1] llama_index_task/task8394 features_1_2',
      '[Task 1/1] ✗ llama_index_task/task8394 features_1_2 failed after 0s: backend docker: engine unreachable',
    ])
  })
})

describe('run summary', () => {
  const summary = { run_name: 'r', total_tasks: 2, completed: 2, skipped: 0, failed: 0, interrupted: false, total_cost: 0, total_time_seconds: 12.5 } as never
  it('shows the tokens and an unknown cost as unknown with the cost limit off', () => {
    const text = formatRunSummary(summary, 'logs/r', { unknownCostPairs: 2, inputTokens: 80_000, outputTokens: 4_200 })
    expect(text).toContain('  tokens     84.2k (input 80.0k, output 4.2k)')
    expect(text).toContain('  cost       unknown (no price is known for the model, so the cost limit was off)')
    expect(text).not.toContain('$0')
  })

  it('says the cost is unknown when an interrupted run priced none of the pairs it ran (never "≥ $0.0000")', () => {
    const interrupted = { ...(summary as object), total_tasks: 27, completed: 17, failed: 10, interrupted: true } as never
    const text = formatRunSummary(interrupted, 'logs/r', { unknownCostPairs: 17, inputTokens: 1, outputTokens: 1 })
    expect(text).toContain('  cost       unknown (no price is known for the model, so the cost limit was off)')
    expect(text).not.toContain('$0')
  })

  it('keeps a lower bound when some pairs were priced', () => {
    const mixed = { ...(summary as object), total_tasks: 3, total_cost: 0.5 } as never
    const text = formatRunSummary(mixed, 'logs/r', { unknownCostPairs: 1, inputTokens: 1, outputTokens: 1 })
    expect(text).toContain('  cost       ≥ $0.5000 (unknown for 1 of 3 pairs')
  })
})
