import { describe, expect, it } from 'vitest'
import { readRecordedTurns } from '../../src/export/recorded-turns.js'

/**
 * Upstream 0.0.20's `extra["token_capture"]` as exports read it (mini-SWE's `capture_token_ids`): a reply's ids go with its
 * turn; turns merged from several calls (CLI streams) keep none rather than one call's ids under another's step.
 */
const usage = { input_tokens: 3, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0 }
const reply = (ids: unknown) => ({ role: 'assistant', content: 'x', extra: { usage, token_capture: ids } })

describe('token ids of recorded replies', () => {
  it("keeps a reply's integer lists, drops anything else, and leaves a merged turn without ids", () => {
    const { turns } = readRecordedTurns([
      { role: 'user', content: 'task', extra: { token_capture: { prompt_token_ids: [1] } } },
      reply({ prompt_token_ids: [1, 2, 3], completion_token_ids: [4, 5] }),
      { role: 'tool', content: 'ok', tool_call_id: 'c1' },
      reply({ prompt_token_ids: [1, 'x'], completion_token_ids: [6] }),
      { role: 'tool', content: 'ok' },
      reply({ prompt_token_ids: [7] }),
      reply({ prompt_token_ids: [8] }),
      { role: 'tool', content: 'ok' },
      reply('[redacted]'),
    ])
    expect(turns.map((t) => t.tokenIds)).toEqual([
      undefined,
      { prompt_token_ids: [1, 2, 3], completion_token_ids: [4, 5] },
      undefined,
      { completion_token_ids: [6] },
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(turns[5]!.modelCalls).toBe(2)
  })
})
