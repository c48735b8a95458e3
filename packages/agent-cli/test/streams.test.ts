import { describe, expect, it } from 'vitest'
import { codexProfile, emptySummary, parseClaudeStream, parseCodexStream, qwenCodeProfile } from '../src/index.js'
import { classifyFailure, cliErrorText } from '../src/failure.js'
import { parsePollOutput } from '../src/teammate-commands.js'

const lines = (...events: unknown[]) => events.map((event) => JSON.stringify(event))

describe('reading CLI streams', () => {
  it('Claude Code: one turn per API message id, tokens and cost from the result, its turn limit is LimitsExceeded', () => {
    const summary = parseClaudeStream([
      ...lines(
        { type: 'system', subtype: 'init', session_id: 's', model: 'm' },
        { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'text', text: 'Let me look.' }] } },
        { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } }] } },
        { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.py' }] } },
      ),
      '{"type":"assistant","message":{"id":"msg_2"', // cut by a kill: ignored
      ...lines({
        type: 'result',
        subtype: 'error_max_turns',
        is_error: true,
        total_cost_usd: 0.5,
        errors: ['Reached maximum number of turns (1)'],
        usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 },
      }),
    ])
    expect(summary).toMatchObject({
      steps: 1,
      cost: 0.5,
      input_tokens: 10,
      output_tokens: 2,
      cache_read_tokens: 3,
      cache_write_tokens: 4,
      outcome: 'limit',
    })
    expect(summary.error).toContain('maximum number of turns')
    expect(summary.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'assistant', 'tool'])
  })

  it('Claude Code: its cost is known only where its own price table priced the model; a guess, no result, Qwen Code’s result: unknown', () => {
    const turn = { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'text', text: 'Done.' }] } }
    // As Claude Code 2.1.330 writes it: per model the dollars and which price table they came from.
    const result = (modelUsage: Record<string, { costUSD: number; costBasis: string }>) => ({
      type: 'result',
      subtype: 'success',
      is_error: false,
      total_cost_usd: Object.values(modelUsage).reduce((sum, m) => sum + m.costUSD, 0),
      usage: { input_tokens: 10, output_tokens: 2 },
      modelUsage,
    })
    const priced = parseClaudeStream(lines(turn, result({ 'claude-sonnet-4-5': { costUSD: 0.25, costBasis: 'list' } })))
    expect(priced).toMatchObject({ steps: 1, cost: 0.25, costUnknown: false })
    const guessed = { 'scripted-model': { costUSD: 0.2, costBasis: 'unknown' }, 'claude-haiku-4-5': { costUSD: 0.05, costBasis: 'list' } }
    const mixed = parseClaudeStream(lines(turn, result(guessed)))
    expect(mixed.costUnknown).toBe(true)
    expect(mixed.cost, 'only the priced model’s dollars').toBeCloseTo(0.05)
    expect(parseClaudeStream(lines(turn)), 'killed before its result').toMatchObject({ cost: 0, costUnknown: true })
    const qwen = parseClaudeStream(lines(turn, { type: 'result', subtype: 'success', is_error: false, usage: { input_tokens: 10 } }), 'qwen_code')
    expect(qwen).toMatchObject({ cost: 0, costUnknown: true })
  })

  it('Claude Code: no result event means no outcome (a CLI that died is never Submitted)', () => {
    expect(parseClaudeStream(lines({ type: 'assistant', message: { id: 'm', content: [] } })).outcome).toBeNull()
  })

  it('Codex: cached tokens apart from input, a failed turn is an error, a later completed turn wins', () => {
    const failed = parseCodexStream(
      lines(
        { type: 'thread.started', thread_id: 't' },
        { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: 'ls', aggregated_output: 'a.py\n', exit_code: 0 } },
        { type: 'turn.failed', error: { message: 'stream disconnected' } },
      ),
    )
    expect(failed).toMatchObject({ steps: 1, outcome: 'error', error: 'stream disconnected' })
    const done = parseCodexStream(
      lines(
        { type: 'error', message: 'Reconnecting... 1/5' },
        { type: 'item.completed', item: { id: 'i2', type: 'agent_message', text: 'Done.' } },
        { type: 'turn.completed', usage: { input_tokens: 100, cached_input_tokens: 40, output_tokens: 7 } },
      ),
    )
    expect(done).toMatchObject({
      steps: 1,
      outcome: 'success',
      error: null,
      input_tokens: 60,
      cache_read_tokens: 40,
      output_tokens: 7,
      cost: 0,
    })
  })

  it('Codex: connection failures in a row are counted (it retries them for ever); any other event resets the count', () => {
    // As Codex 0.169.0 writes them for a base URL whose port is closed (3, 8, 13, 23, 43 s apart).
    const waiting = { type: 'error', message: 'Reconnecting... waiting for network (Connection failed: error sending request)' }
    const start = lines(
      { type: 'thread.started', thread_id: 't' },
      { type: 'item.completed', item: { id: 'item_0', type: 'error', message: 'Model metadata for `gpt-4o` not found.' } },
      { type: 'turn.started' },
    )
    const stuck = parseCodexStream([...start, ...lines(waiting, waiting, waiting)])
    expect(stuck).toMatchObject({ steps: 0, outcome: 'error', error: waiting.message, connectionFailures: 3 })
    expect(classifyFailure(stuck.error!, stuck)).toBe('infra')
    const recovered = parseCodexStream([
      ...start,
      ...lines(waiting, waiting, { type: 'item.completed', item: { id: 'i1', type: 'agent_message', text: 'Hi.' } }),
    ])
    expect(recovered.connectionFailures).toBeUndefined()
    // A stream error that is not a failed connection (Codex's own bounded retries) is not counted.
    expect(
      parseCodexStream(lines({ type: 'error', message: 'Reconnecting... 1/5 (stream disconnected before completion)' })).connectionFailures,
    ).toBeUndefined()
  })

  it("a failed CLI's error leads with the real error; the stderr lines a CLI prints on every run are left out", () => {
    const rg = 'Ripgrep not available: spawn /opt/qwen/vendor/ripgrep/x64-linux/rg EACCES. Falling back to built-in grep.'
    const qwen = cliErrorText(
      { error: '[API Error: Connection error. (cause: fetch failed)]', ended: 'the CLI exited with code 1' },
      `${rg}\n`,
      qwenCodeProfile.stderrNoise!,
    )
    expect(qwen).toBe('[API Error: Connection error. (cause: fetch failed)]')
    const aliases =
      'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp" ' +
      '(codex_home: AbsolutePathBuf("/tmp/.cooperbench-cli/home"))'
    const stderr = `${aliases}\nReading additional input from stdin...\nError: unexpected status 401 Unauthorized\n`
    expect(cliErrorText({ error: null, ended: 'the CLI exited with code 1' }, stderr, codexProfile.stderrNoise!)).toBe(
      'the CLI exited with code 1: Error: unexpected status 401 Unauthorized\nstderr (last lines):\nError: unexpected status 401 Unauthorized',
    )
    // Nothing on stderr: how the process ended.
    expect(cliErrorText({ error: null, ended: 'the CLI ended without a final result' }, '', [])).toBe('the CLI ended without a final result')
  })

  it('a poll splits the outbox from the stream', () => {
    const message = Buffer.from('agent2\nline one\nline two').toString('base64')
    expect(parsePollOutput(`M ${message}\nS\n{"a":1}\n{"b"`)).toEqual({
      outbox: [{ to: 'agent2', content: 'line one\nline two' }],
      stream: '{"a":1}\n{"b"',
    })
  })

  it('failures: the provider or a CLI that never reached its model is infra, the rest agent', () => {
    const oneTurn = { ...emptySummary(), steps: 1 }
    expect(classifyFailure('API Error: 529 overloaded_error', oneTurn)).toBe('infra')
    expect(classifyFailure('the CLI exited with code 1', emptySummary())).toBe('infra')
    expect(classifyFailure('the CLI exited with code 1', oneTurn)).toBe('agent')
    expect(classifyFailure('[API Error: Streaming request received a non-SSE response (HTTP 200)]', oneTurn)).toBe('infra')
    expect(classifyFailure('[API Error: 400 maximum context length is 32768 tokens]', oneTurn)).toBe('agent')
  })

  it("Qwen Code's failed request: no model turn, and the result's error.message is the error (not stderr's first line)", () => {
    const failed = '[API Error: Connection error. (cause: fetch failed)]'
    const summary = parseClaudeStream(
      [
        JSON.stringify({ type: 'assistant', message: { id: 'm1', content: [{ type: 'text', text: failed }], usage: { input_tokens: 0, output_tokens: 0 } } }),
        JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 1, usage: {}, error: { message: failed } }),
      ],
      'qwen_code',
    )
    expect(summary).toMatchObject({ steps: 0, outcome: 'error', error: failed })
    expect(classifyFailure(summary.error!, summary)).toBe('infra')
  })
})
