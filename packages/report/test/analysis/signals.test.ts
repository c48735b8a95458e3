import type { ConversationEntry } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { type AgentRecords, pairSignals, type TrajectoryStep } from '../../src/analysis/signals.js'

/** A mini-SWE style assistant step running `command`, with its tokens. */
const step = (command: string, input = 100, output = 10): TrajectoryStep => ({
  role: 'assistant',
  content: 'thinking',
  extra: { actions: [{ command }], usage: { input_tokens: input, output_tokens: output } },
})
const observation: TrajectoryStep = { role: 'tool', content: 'ok', extra: { usage: { input_tokens: 0, output_tokens: 0 } } }
const patchOf = (...paths: string[]) => paths.map((p) => `diff --git a/${p} b/${p}\n--- a/${p}\n+++ b/${p}\n@@ -1 +1 @@\n-a\n+b\n`).join('')
const say = (from: string, to: string, message: string): ConversationEntry => ({ from, to, message, timestamp: null, feature_id: from === 'agent1' ? 1 : 2 })

describe('coordination signals of a coop pair, without a model', () => {
  const agent1: AgentRecords = {
    agentId: 'agent1',
    featureId: 1,
    trajectory: [
      step('grep -n slugify textkit/slug.py', 1000, 50),
      observation,
      step('send_message agent2 "I will add max_length to slug.py and docs/usage.md. Which name do you use?"', 200, 50),
      observation,
      step('echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT', 500, 0),
    ],
    patch: patchOf('textkit/slug.py'),
  }
  const agent2: AgentRecords = {
    agentId: 'agent2',
    featureId: 2,
    trajectory: [
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'check_messages', arguments: '{}' } }],
        extra: { usage: { input_tokens: 300, output_tokens: 0 } },
      },
      step('sed -i s/a/b/ textkit/slug.py textkit/case.py', 700, 100),
    ],
    patch: patchOf('textkit/slug.py', 'textkit/case.py'),
  }

  it('counts messages, the share of steps and tokens spent messaging, files both edited and promises not kept', () => {
    const conversation = [
      say('agent1', 'agent2', 'I will add max_length to slug.py and docs/usage.md. Which name do you use?'),
      say('agent2', 'agent1', "Stopwords. I'll leave slug.py alone."),
    ]
    const signals = pairSignals([agent1, agent2], conversation)
    expect(signals.messages).toBe(2)
    // 5 model steps, 2 of them messaging (a send_message command, a check_messages tool call).
    expect(signals.messaging_step_share).toBeCloseTo(2 / 5)
    expect(signals.messaging_token_share).toBeCloseTo((250 + 300) / (1050 + 250 + 500 + 300 + 800))
    expect(signals.unanswered_questions).toEqual([])
    expect(signals.files_both_edited).toEqual(['textkit/slug.py'])
    // agent1 promised docs/usage.md and never touched it; slug.py it did. agent2 promised to leave
    // slug.py alone, which names a file its patch changes: the signal is "named, not touched" only.
    expect(signals.broken_promises).toEqual([{ agent: 'agent1', file: 'docs/usage.md', quote: 'I will add max_length to slug.py and docs/usage.md' }])
  })

  it('waiting for a message with the MCP tool is a messaging step, as each CLI records the call, whatever the MCP server', () => {
    const call = (name: string, args: string): TrajectoryStep => ({
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name, arguments: args } }],
      extra: { usage: { input_tokens: 100, output_tokens: 0 } },
    })
    const waiting: AgentRecords = {
      agentId: 'agent1',
      featureId: 1,
      trajectory: [
        call('mcp__cooperbench-team__wait_for_message', '{"timeout_seconds":60}'),
        call('mcp__cooperbench__wait_for_message', '{"timeout_seconds":60}'),
        call('wait_for_message', '{"timeout_ms":60000}'),
        call('mcp__cooperbench_team/wait_for_message', '{"timeout_seconds":60}'),
        call('mcp_tool_call', '{"type":"mcp_tool_call","server":"cooperbench-team","tool":"wait_for_message"}'),
        call('Bash', '{"command":"sleep 5"}'),
        call('my_wait_for_message_helper', '{}'),
      ],
      patch: '',
    }
    expect(pairSignals([waiting], []).messaging_step_share).toBeCloseTo(5 / 7)
  })

  it('a question is unanswered until its addressee writes back to the asker', () => {
    const asked = [say('agent1', 'agent2', 'Done with the parser. Do you need the old signature? I can keep it.')]
    expect(pairSignals([agent1, agent2], asked).unanswered_questions).toEqual([{ from: 'agent1', to: 'agent2', quote: 'Do you need the old signature?' }])
    // A reply to someone else does not answer it; a reply to the asker does.
    expect(pairSignals([agent1, agent2], [...asked, say('agent2', 'agent3', 'ok')]).unanswered_questions).toHaveLength(1)
    expect(pairSignals([agent1, agent2], [...asked, say('agent2', 'agent1', 'No.')]).unanswered_questions).toEqual([])
    // A question asked after the only reply is still open.
    expect(pairSignals([agent1, agent2], [say('agent2', 'agent1', 'hi'), ...asked]).unanswered_questions).toHaveLength(1)
  })

  it('a later "Done" or any acknowledgement does not answer an opening question; an answer to it does', () => {
    const opening = [
      say('agent1', 'agent2', 'Hi! I am adding max_length to textkit/slug.py lines 10-30. Which lines will you change?'),
      say('agent2', 'agent1', 'Hello, I take the separator feature. Do you also touch the signature of slugify?'),
    ]
    const closing = [say('agent1', 'agent2', 'Done! Submitted.'), say('agent2', 'agent1', 'Done, all set on my side. Thanks!')]
    expect(pairSignals([agent1, agent2], [...opening, ...closing]).unanswered_questions).toEqual([
      { from: 'agent1', to: 'agent2', quote: 'Which lines will you change?' },
      { from: 'agent2', to: 'agent1', quote: 'Do you also touch the signature of slugify?' },
    ])
    // Talking past the question (more than an acknowledgement, about something else) does not answer it either.
    const pastIt = say('agent2', 'agent1', 'I finished my feature and the tests pass now.')
    expect(pairSignals([agent1, agent2], [...opening, pastIt]).unanswered_questions).toHaveLength(2)
    const answered = [
      ...opening,
      say('agent2', 'agent1', 'I only edit textkit/slug.py around line 60, the separator handling.'),
      say('agent1', 'agent2', 'Yes, I add a parameter to it.'),
    ]
    expect(pairSignals([agent1, agent2], answered).unanswered_questions).toEqual([])
  })

  it('a pair that never talked and shares no file has zeros, not NaN; without model steps (the oracle) no messaging share', () => {
    const quiet = pairSignals(
      [
        { ...agent1, trajectory: [], patch: patchOf('a.py') },
        { ...agent2, trajectory: [], patch: patchOf('b.py') },
      ],
      [],
    )
    expect(quiet).toEqual({
      messages: 0,
      messaging_step_share: null,
      messaging_token_share: null,
      unanswered_questions: [],
      files_both_edited: [],
      broken_promises: [],
    })
  })
})
