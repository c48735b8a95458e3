import { describe, expect, it } from 'vitest'
import { agentShorthand, autoRunName, cleanModelName, type RunNameInput, shortRepoName } from '../src/index.js'

/** The invocation defaults of the reference CLI. */
const defaults: RunNameInput = {
  setting: 'coop',
  // Coop's agents message each other (its `SettingShape.messaging`): `nomsg` says when they may not.
  settingMessages: true,
  agent: 'mini_swe_agent_v2',
  modelName: 'vertex_ai/gemini-3-flash-preview',
  gitEnabled: false,
  messagingEnabled: true,
  subset: null,
  repo: null,
  taskId: null,
  agentConfigDigest: null,
}

describe("autoRunName: every row of the reference's run-name table", () => {
  const rows: [invocation: string, input: Partial<RunNameInput>, expected: string][] = [
    ['(defaults)', {}, 'coop-msa_v2-gemini-3-flash'],
    ['--setting solo -m gpt-4o', { setting: 'solo', settingMessages: false, modelName: 'gpt-4o' }, 'solo-msa_v2-gpt-4o'],
    [
      '-m gemini/gemini-3-flash-preview -s lite -r pillow_task -t 25',
      { modelName: 'gemini/gemini-3-flash-preview', subset: 'lite', repo: 'pillow_task', taskId: 25 },
      'coop-msa_v2-gemini-3-flash-lite-pillow-25',
    ],
    [
      '--git -a claude_code -m anthropic/claude-sonnet-4-5-20250929',
      { gitEnabled: true, agent: 'claude_code', modelName: 'anthropic/claude-sonnet-4-5-20250929' },
      'coop-cc-git-claude-sonnet-4-5-20250929',
    ],
    [
      '--setting solo -a openhands_sdk -m gpt-5.2 -r openai_tiktoken_task -t 0',
      { setting: 'solo', settingMessages: false, agent: 'openhands_sdk', modelName: 'gpt-5.2', repo: 'openai_tiktoken_task', taskId: 0 },
      'solo-oh-gpt-5-2-openai-tiktoken-0',
    ],
    // The reference's row says `coop-my-kimi-k2-5` (first two characters); ours keeps the whole name of an agent without a shorthand.
    ['-a my_agent -m moonshotai/Kimi-K2.5', { agent: 'my_agent', modelName: 'moonshotai/Kimi-K2.5' }, 'coop-my_agent-kimi-k2-5'],
    ['-m openrouter/meta-llama/llama-3.1-70b-instruct', { modelName: 'openrouter/meta-llama/llama-3.1-70b-instruct' }, 'coop-msa_v2-llama-3-1-70b-instruct'],
    ['-a swe_agent', { agent: 'swe_agent' }, 'coop-sw-gemini-3-flash'],
  ]

  it.each(rows)('%s → %s', (_invocation, input, expected) => {
    expect(autoRunName({ ...defaults, ...input })).toBe(expected)
  })

  it.each([
    ['gpt-4-turbo', 'gpt-4'],
    ['GPT-4-Turbo', 'gpt-4-turbo'],
    ['x-preview-latest', 'x-preview'],
    ['GPT-4O', 'gpt-4o'],
  ])('model %s → %s', (model, cleaned) => {
    expect(cleanModelName(model)).toBe(cleaned)
    expect(autoRunName({ ...defaults, modelName: model })).toBe(`coop-msa_v2-${cleaned}`)
  })
})

describe("autoRunName: what we add to the reference's names", () => {
  it('appends nomsg after git for coop with messaging off', () => {
    expect(autoRunName({ ...defaults, messagingEnabled: false })).toBe('coop-msa_v2-nomsg-gemini-3-flash')
    expect(autoRunName({ ...defaults, messagingEnabled: false, gitEnabled: true })).toBe('coop-msa_v2-git-nomsg-gemini-3-flash')
  })

  it('does not mark solo runs, where messaging does not exist', () => {
    expect(autoRunName({ ...defaults, setting: 'solo', settingMessages: false, messagingEnabled: false })).toBe('solo-msa_v2-gemini-3-flash')
  })

  it('appends cfg and 6 hex digits of the agent-config digest', () => {
    const agentConfigDigest = '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'
    expect(autoRunName({ ...defaults, agentConfigDigest, messagingEnabled: false, subset: 'lite' })).toBe('coop-msa_v2-nomsg-cfg9f86d0-gemini-3-flash-lite')
  })
})

describe('autoRunName: a run on another backend or bus is another run', () => {
  it('names a backend other than local and a bus other than memory, before the model', () => {
    expect(autoRunName({ ...defaults, backend: 'local', bus: 'memory' })).toBe('coop-msa_v2-gemini-3-flash')
    expect(autoRunName({ ...defaults, backend: 'docker', subset: 'demo' })).toBe('coop-msa_v2-docker-gemini-3-flash-demo')
    expect(autoRunName({ ...defaults, backend: 'docker', bus: 'redis', gitEnabled: true })).toBe('coop-msa_v2-git-docker-redis-gemini-3-flash')
  })

  it('leaves the bus out where nobody messages (solo, --no-messaging)', () => {
    expect(autoRunName({ ...defaults, setting: 'solo', settingMessages: false, bus: 'redis' })).toBe('solo-msa_v2-gemini-3-flash')
    expect(autoRunName({ ...defaults, messagingEnabled: false, bus: 'redis' })).toBe('coop-msa_v2-nomsg-gemini-3-flash')
  })
})

describe('agentShorthand', () => {
  const declared = (agent: string) => ({ mini_swe_agent_v2: 'mine', acme_agent: 'acme' })[agent]

  it('prefers the reference table, then the plugin-declared shorthand, then the whole agent name', () => {
    expect(agentShorthand('mini_swe_agent_v2', declared)).toBe('msa_v2')
    expect(agentShorthand('acme_agent', declared)).toBe('acme')
    expect(agentShorthand('echo_v1', declared)).toBe('echo_v1')
    expect(autoRunName({ ...defaults, agent: 'acme_agent' }, declared)).toBe('coop-acme-gemini-3-flash')
  })

  it('leaves the model out for an agent that calls none (null model): the oracle is not named after the default model', () => {
    expect(autoRunName({ ...defaults, agent: 'oracle', modelName: null }, () => 'or')).toBe('coop-or')
    expect(
      autoRunName(
        { ...defaults, setting: 'solo', settingMessages: false, agent: 'oracle', modelName: null, subset: 'demo', repo: 'textkit_task', taskId: 7 },
        () => 'or',
      ),
    ).toBe('solo-or-demo-textkit-7')
  })

  it('gives two agents without a shorthand that share their first characters different run names', () => {
    const none = () => undefined
    const v1 = autoRunName({ ...defaults, agent: 'echo_v1' }, none)
    const v2 = autoRunName({ ...defaults, agent: 'echo_v2' }, none)
    expect(v1).toBe('coop-echo_v1-gemini-3-flash')
    expect(v2).not.toBe(v1)
  })
})

describe('shortRepoName', () => {
  it('removes every `_task`, as the reference does, then turns `_` into `-`', () => {
    expect(shortRepoName('llama_index_task')).toBe('llama-index')
    expect(shortRepoName('task_tracker_task')).toBe('task-tracker')
    expect(shortRepoName('my_task_queue_task')).toBe('my-queue')
  })
})
