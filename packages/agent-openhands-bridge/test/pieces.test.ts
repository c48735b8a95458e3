import { MemoryBus } from '@cooperbench/builtins'
import type { CommandTool, FunctionTool, Sandbox, ToolCallContext } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { clientToolSpec, offeredTools, runCoordinationTool } from '../src/coordination-tools.js'
import { initialInstructions } from '../src/initial-message.js'
import { llmSpec } from '../src/llm-spec.js'
import { CHECK_MESSAGES_TOOL, runTeammateTool, SEND_MESSAGE_TOOL, teammateToolSpecs } from '../src/teammate-tools.js'
import { messageOf } from '../src/trajectory.js'

describe('the bridge’s pieces', () => {
  it('turns server events into trajectory messages with the raw event kept', () => {
    const action = {
      id: 'e1',
      timestamp: '2026-11-23T10:00:00.000000',
      source: 'agent',
      kind: 'ActionEvent',
      thought: [{ type: 'text', text: 'Look at the repo.' }],
      tool_name: 'terminal',
      tool_call_id: 'call_1',
      tool_call: { id: 'call_1', name: 'terminal', arguments: '{"command":"ls"}' },
      action: { kind: 'TerminalAction', command: 'ls' },
    }
    expect(messageOf(action)).toMatchObject({
      role: 'assistant',
      content: 'Look at the repo.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'terminal', arguments: '{"command":"ls"}' } }],
      extra: { openhands_event: action },
    })
    const observation = {
      id: 'e2',
      timestamp: '2026-11-23T10:00:01',
      source: 'environment',
      kind: 'ObservationEvent',
      tool_name: 'terminal',
      tool_call_id: 'call_1',
      observation: { kind: 'TerminalObservation', content: [{ type: 'text', text: 'a.py\n' }] },
    }
    expect(messageOf(observation)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: 'a.py\n' })
    expect(
      messageOf({ id: 'e3', timestamp: 'x', source: 'user', kind: 'MessageEvent', llm_message: { role: 'user', content: [{ type: 'text', text: 'hi' }] } }),
    ).toMatchObject({ role: 'user', content: 'hi' })
    expect(
      messageOf({ id: 'e4', timestamp: 'x', source: 'environment', kind: 'ConversationStateUpdateEvent', key: 'execution_status', value: 'running' }),
    ).toBeNull()
  })

  it('runs send_message and check_messages against the harness’s bus', async () => {
    const bus = new MemoryBus()
    const one = await bus.open('ns', 'agent1', ['agent2'])
    const two = await bus.open('ns', 'agent2', ['agent1'])
    expect(teammateToolSpecs(['agent2']).map((t) => t.name)).toEqual([SEND_MESSAGE_TOOL, CHECK_MESSAGES_TOOL])
    expect(await runTeammateTool(one, SEND_MESSAGE_TOOL, { to: 'agent2', content: 'I take a.py' })).toBeNull()
    expect(await runTeammateTool(one, SEND_MESSAGE_TOOL, { to: 'agent9', content: 'x' })).toBe('[send_message failed] "to" must be one of: agent2')
    expect(await runTeammateTool(two, CHECK_MESSAGES_TOOL, {})).toBe('[Message from agent1]: I take a.py')
    expect(await runTeammateTool(two, CHECK_MESSAGES_TOOL, {})).toBe('[check_messages] no new messages')
    expect((await bus.transcript('ns')).map((m) => m.content)).toEqual(['I take a.py'])
  })

  it('takes the model’s key from LLM_API_KEY or the provider’s variable, and none behind a base URL', () => {
    expect(llmSpec('openai/gpt-5', null, { OPENAI_API_KEY: 'sk-o' })).toEqual({ model: 'openai/gpt-5', api_key: 'sk-o' })
    expect(llmSpec('anthropic/claude-sonnet-4-5', null, { LLM_API_KEY: 'k', ANTHROPIC_API_KEY: 'a' })).toEqual({
      model: 'anthropic/claude-sonnet-4-5',
      api_key: 'k',
    })
    expect(llmSpec('openai/scripted', 'http://127.0.0.1:9/v1', {})).toEqual({ model: 'openai/scripted', api_key: 'EMPTY', base_url: 'http://127.0.0.1:9/v1' })
  })
})

describe('the registration', () => {
  it('records the agent server release in the run fingerprint, following server_version', async () => {
    const { PluginRegistry, applyPlugin } = await import('@cooperbench/core')
    const registry = new PluginRegistry()
    await applyPlugin(registry, (await import('../src/register.js')).default.plugin)
    const entry = registry.get('agent', 'openhands')
    expect(entry.release?.({})).toBe('openhands-agent-server@1.43.1')
    expect(entry.release?.({ server_version: '1.44.0' })).toBe('openhands-agent-server@1.44.0')
  })
})

const tracker: FunctionTool = {
  kind: 'function',
  name: 'task_tracker',
  description: 'A shared task list.',
  parameters: { type: 'object', properties: { command: { type: 'string' } } },
  call: async (args) => `[task_tracker] ${String(args.command)}`,
}

describe('the coordination tools as client tools', () => {
  const context: ToolCallContext = { sandbox: {} as Sandbox, signal: new AbortController().signal }

  it('offers the function tools only (the commands are in the terminal), declared as they are', () => {
    const post: CommandTool = { kind: 'command', name: 'note-post', description: 'Posts a note.', run: async () => ({ exitCode: 0, output: '' }) }
    expect(offeredTools([post, tracker])).toEqual([tracker])
    expect(clientToolSpec(tracker)).toEqual({ name: 'task_tracker', description: 'A shared task list.', parameters: tracker.parameters })
  })

  it('answers a function tool with its text', async () => {
    expect(await runCoordinationTool(tracker, { command: 'view' }, context)).toBe('[task_tracker] view')
    const broken: FunctionTool = { ...tracker, call: () => Promise.reject(new Error('gone')) }
    expect(await runCoordinationTool(broken, {}, context)).toBe('[task_tracker failed] gone')
  })
})

describe('the first message', () => {
  const TASK = 'Add a --verbose flag.'
  const base = { instructions: TASK, agentId: 'agent1', peers: [] as string[], mailbox: null, git: null }
  const none = { briefing: { sections: [], upstream: null } }
  const briefed = {
    briefing: {
      sections: [
        { title: 'Your role', body: 'You lead.' },
        { title: 'Task list', body: 'Claim a task.' },
      ],
      upstream: 'upstream text',
    },
  }
  const paired = { ...base, peers: ['agent2'], mailbox: { peers: ['agent2'] } as never }

  it('is the task alone, or with the teammates’ paragraph and the shared remote beside peers (unchanged texts)', () => {
    expect(initialInstructions({ ...base, coordination: none }, [])).toBe(TASK)
    expect(initialInstructions({ ...paired, git: { remote: 'team' } as never, coordination: none }, [])).toBe(
      `${TASK}\n\nYou are agent1, working in a team with agent2, each in a separate copy of the repository. Coordinate with \`send_message\` ` +
        "(who changes which file, interfaces you share) and read replies with `check_messages`; teammates' messages also arrive as user messages." +
        '\n\nA git remote `team` shared with your team is set up: push your branch there and fetch theirs to see their work.',
    )
  })

  it('puts the briefing’s sections in place of the teammates’ paragraph, then the messaging tools', () => {
    expect(initialInstructions({ ...paired, coordination: briefed }, [])).toBe(
      `${TASK}\n\n# Your role\n\nYou lead.\n\n# Task list\n\nClaim a task.\n\n# Talking to your teammates\n\n` +
        'Message a teammate with `send_message` (say which files and functions you will change before you edit shared code) and read what ' +
        'they sent with `check_messages`; their messages also arrive as user messages.',
    )
  })

  it('names the function tools it offers, and no tools section without any', () => {
    expect(initialInstructions({ ...paired, coordination: briefed }, [tracker])).toContain(
      "# Your coordination tools\n\nThese are tools of yours too:\n- `task_tracker`\n\nA tool call's answer comes back as a user message a moment later.",
    )
    expect(initialInstructions({ ...base, coordination: briefed }, [])).toBe(`${TASK}\n\n# Your role\n\nYou lead.\n\n# Task list\n\nClaim a task.`)
  })
})
