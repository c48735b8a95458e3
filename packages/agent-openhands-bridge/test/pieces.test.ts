import { MemoryBus } from '@cooperbench/builtins'
import { describe, expect, it } from 'vitest'
import { TASK_COMMAND_BIN_DIR } from '@cooperbench/setting-team/agent'
import { ALL_TEAM_FEATURES } from '@cooperbench/spec/team'
import { initialInstructions } from '../src/initial-message.js'
import { llmSpec } from '../src/llm-spec.js'
import { teamToolCommand, teamTools } from '../src/team-tools.js'
import { CHECK_MESSAGES_TOOL, runTeammateTool, SEND_MESSAGE_TOOL, teammateToolSpecs } from '../src/teammate-tools.js'
import { messageOf } from '../src/trajectory.js'

/** The features of a team without any task list (`--team-no-task-commands`), as the setting records them. */
const NO_TASK_LIST_AT_ALL = { task_list: false, protocol: false, auto_refresh: false, task_commands: false } as const

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

describe('a team tool call as a command line', () => {
  const team = { agents: ['agent1', 'agent2'], features: ALL_TEAM_FEATURES }
  const tool = (name: string) => teamTools(team, 'agent1').find((t) => t.name === name)!

  it('runs the installed command by its full path, options before the positionals', () => {
    expect(teamToolCommand(tool('coop_task_update'), { task_id: 3, status: 'blocked', note: 'need the API' })).toEqual([
      `${TASK_COMMAND_BIN_DIR}/coop-task-update`,
      '--note=need the API',
      '3',
      'blocked',
    ])
    expect(teamToolCommand(tool('coop_task_list'), { mine: true })).toEqual([`${TASK_COMMAND_BIN_DIR}/coop-task-list`, '--mine'])
  })

  it('always gives the body, so the command never waits for one on stdin, and keeps a leading dash from reading as an option', () => {
    expect(teamToolCommand(tool('coop_request'), { to: 'agent2', request_kind: 'question', wait_seconds: 30 })).toEqual([
      `${TASK_COMMAND_BIN_DIR}/coop-request`,
      '--wait=30',
      'agent2',
      'question',
      '',
    ])
    expect(teamToolCommand(tool('coop_task_create'), { title: '--rm everything' })).toEqual([
      `${TASK_COMMAND_BIN_DIR}/coop-task-create`,
      '--',
      '--rm everything',
    ])
  })

  it('refuses a call without its required arguments instead of running the command', () => {
    expect(teamToolCommand(tool('coop_task_claim'), {})).toBe('"task_id" is required')
    expect(teamToolCommand(tool('coop_request'), { to: 'agent2', request_kind: ' ' })).toBe('"request_kind" is required')
  })

  it('offers no tool without the task list, and the protocol tools only with it', () => {
    expect(teamTools({ ...team, features: { ...ALL_TEAM_FEATURES, ...NO_TASK_LIST_AT_ALL } }, 'agent1')).toEqual([])
    // Upstream's --team-no-task-list (the seeding off) keeps the commands while the protocol is on.
    expect(teamTools({ ...team, features: { ...ALL_TEAM_FEATURES, task_list: false } }, 'agent1')).toHaveLength(7)
    expect(teamTools({ ...team, features: { ...ALL_TEAM_FEATURES, protocol: false } }, 'agent1').map((t) => t.name)).toEqual([
      'coop_task_list',
      'coop_task_claim',
      'coop_task_update',
      'coop_task_create',
    ])
    expect(tool('coop_request').properties.to).toMatchObject({ enum: ['agent2'] })
  })
})

describe('the first message in the team setting', () => {
  const lead = (features: Partial<typeof ALL_TEAM_FEATURES> = {}) => ({
    instructions: 'Add a --verbose flag.',
    agentId: 'agent1',
    peers: ['agent2'],
    mailbox: { peers: ['agent2'] } as never,
    git: null,
    team: {
      role: 'lead' as const,
      lead: 'agent1',
      agents: ['agent1', 'agent2'],
      features: { ...ALL_TEAM_FEATURES, ...features },
      taskList: null,
      scratchpad: features.scratchpad === false ? null : '/workspace/shared',
    },
  })

  it('carries the task, the team briefing in place of the coop pair’s paragraph, the coop tools and the team tools', () => {
    const text = initialInstructions(lead())
    expect(text.startsWith('Add a --verbose flag.\n\n# Your role in the team\n\nYou are **agent1**, the lead')).toBe(true)
    expect(text).not.toContain('working in a team with')
    for (const name of ['send_message', 'check_messages', 'coop_task_claim', 'coop_request', 'coop_pending', '/workspace/shared/PLAN.md']) {
      expect(text).toContain(name)
    }
  })

  it('never names a feature that is off', () => {
    expect(initialInstructions(lead(NO_TASK_LIST_AT_ALL))).not.toMatch(/coop-task-|coop_task_|coop_request|coop-request/)
    expect(initialInstructions(lead({ protocol: false }))).not.toMatch(
      /coop_request|coop-request|coop_respond|coop-respond|coop_pending|coop-pending|# Requests/,
    )
    expect(initialInstructions(lead({ scratchpad: false }))).not.toContain('/workspace/shared')
  })

  it('keeps the coop pair’s paragraph outside the team setting', () => {
    expect(initialInstructions({ ...lead(), team: null })).toContain('You are agent1, working in a team with agent2')
  })
})
