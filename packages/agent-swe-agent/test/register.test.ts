import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { REFERENCE_AGENT_SHORTHANDS } from '@cooperbench/config'
import { isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import plugin from '../src/register.js'
import { agentWith, scriptedModel } from './support/fakes.js'
import { UPSTREAM_DIR, UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

async function entry() {
  const registry = new PluginRegistry()
  await applyPlugin(registry, plugin.plugin)
  return { registry, entry: registry.get('agent', 'swe_agent') }
}

const preflight = (options: Record<string, unknown>, more: Partial<Parameters<ReturnType<typeof agentWith>['preflight']>[0]> = {}) =>
  agentWith(scriptedModel([])).preflight({
    model: 'openai/gpt-4o',
    options,
    limits: { steps: 0, costUsd: 0.5, wallClockSeconds: null },
    run: { messaging: true, git: true, agents: 2 },
    ...more,
  })

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  expect(error.code).toBe('CONFIG_INVALID')
  return error.message
}

describe('the agent-swe-agent plugin', () => {
  it("registers agent swe_agent, run names shortened to the reference table's `sw`", async () => {
    const { entry: registered } = await entry()
    expect(registered).toMatchObject({ name: 'swe_agent', specificationVersion: 'agent-v1', plugin: { name: '@cooperbench/agent-swe-agent' } })
    expect(REFERENCE_AGENT_SHORTHANDS['swe_agent']).toBe('sw')
    // No step limit (SWE-agent's per_instance_call_limit is never set); upstream's adapter's $0.50 unless the file says.
    expect(registered.ownLimits?.({})).toEqual({ steps: 0, costUsd: 0.5 })
    expect(registered.ownLimits?.({ cost_limit: 2 })).toEqual({ steps: 0, costUsd: 2 })
    // Of a setting it takes only the seat's briefing, as upstream's swe_agent took only the team's prompt block.
    expect(registered.briefingOnly?.({})).toBe(true)
  })

  it('refuses an option it does not know, naming it', async () => {
    const { registry } = await entry()
    const error = await registry.create('agent', 'swe_agent', { options: { bundles: 'x' }, logger: silentLogger }).catch((e: unknown) => e)
    expect(String((error as { details?: string[] }).details)).toMatch(/bundles/)
  })

  it.skipIf(UPSTREAM_MISSING)('names its prompts by a digest of the configuration and of every bundle file', async () => {
    const { entry: registered } = await entry()
    const source = (options: Record<string, unknown>) => registered.promptSource!(options)
    const original = await source(upstreamOptions('coop'))
    expect(original).toMatch(/^reference-config:sha256:[0-9a-f]{64}$/)
    expect(await source(upstreamOptions('coop'))).toBe(original)
    expect(await source(upstreamOptions('default'))).not.toBe(original)
    const copy = mkdtempSync(join(tmpdir(), 'cb-swe-tools-'))
    cpSync(UPSTREAM_DIR, copy, { recursive: true })
    expect(await source(upstreamOptions('coop', { config_root: copy }))).toBe(original)
    writeFileSync(join(copy, 'tools', 'review_on_submit_m', 'bin', 'submit'), '#!/usr/bin/env python3\nprint("changed")\n')
    expect(await source(upstreamOptions('coop', { config_root: copy }))).not.toBe(original)
  })

  it.skipIf(UPSTREAM_MISSING)('refuses cache_control settings it does not reproduce, and the processor before last_n_observations', async () => {
    const { registry } = await entry()
    for (const [processors, message] of [
      [[{ type: 'cache_control', last_n_messages_offset: 1 }], /cache_control last_n_messages_offset is not supported/],
      [[{ type: 'cache_control', tagged_roles: ['user'] }], /cache_control tagged_roles is not supported/],
      [[{ type: 'cache_control' }, { type: 'last_n_observations', n: 5 }], /cache_control before last_n_observations is not supported/],
    ] as const) {
      const options = upstreamOptions('coop')
      ;(options['agent'] as Record<string, unknown>)['history_processors'] = processors
      expect(await refusal(registry.get('agent', 'swe_agent').promptSource!(options) as Promise<string>)).toMatch(message)
    }
  })
})

describe.skipIf(UPSTREAM_MISSING)('the preflight, before any pair starts', () => {
  it("passes upstream's files as they are", async () => {
    await expect(preflight(upstreamOptions('coop'))).resolves.toBeUndefined()
    await expect(preflight(upstreamOptions('default'), { run: { messaging: false, git: false, agents: 1 } })).resolves.toBeUndefined()
  })

  it('refuses a run without the configuration file or without the folder its bundles are in', async () => {
    expect(await refusal(preflight({}))).toMatch(/swe_agent has no configuration/)
    expect(await refusal(preflight({ ...upstreamOptions('coop'), config_root: undefined }))).toMatch(/bundle path tools\/registry is relative/)
    expect(await refusal(preflight(upstreamOptions('coop', { config_root: tmpdir() })))).toMatch(/has no readable config\.yaml/)
  })

  it('refuses what it would not run as SWE-agent does, and a template that does not render', async () => {
    const options = upstreamOptions('coop')
    const agent = options['agent'] as { tools: Record<string, unknown>; templates: Record<string, unknown> }
    agent.tools['parse_function'] = { type: 'thought_action' }
    expect(await refusal(preflight(options))).toMatch(/parse_function\.type thought_action is not supported/)
    const undefinedVariable = upstreamOptions('coop')
    ;(undefinedVariable['agent'] as typeof agent).templates['system_template'] = 'You are {{ agent_name }}.'
    expect(await refusal(preflight(undefinedVariable))).toMatch(/system_template does not render for agent agent1: .*agent_name/)
  })

  it("refuses mini-SWE's `agent:` block, which would show the agents an empty system and task message, naming the keys swe_agent needs", async () => {
    const miniSwe = { agent: { system_template: 'You are a helpful assistant.', instance_template: '{{ task }}', step_limit: 100, cost_limit: 3 } }
    const message = await refusal(preflight({ ...miniSwe, config_root: UPSTREAM_DIR }))
    expect(message).toMatch(/the --agent-config file.* has no agent\.templates\.instance_template, the message that shows the task/)
    expect(message).toMatch(/agent\.system_template and agent\.instance_template, which are mini_swe_agent's keys/)
    const error = await preflight(miniSwe).catch((e: { hint?: string }) => e)
    expect(error.hint).toMatch(/agent\.templates\.system_template, agent\.templates\.instance_template .*agent\.tools\.bundles/)
    expect(error.hint).toContain('config/coop.yaml')
    // Refused where the run is planned (the prompt source reads the configuration), before any preflight.
    const { entry: registered } = await entry()
    await expect(registered.promptSource!(miniSwe)).rejects.toThrow(/has no agent\.templates\.instance_template/)
  })

  it('refuses templates that render without the task, for any agent of the run', async () => {
    const withInstance = (instance: string) => {
      const options = upstreamOptions('coop')
      ;(options['agent'] as { templates: Record<string, unknown> }).templates['instance_template'] = instance
      return options
    }
    for (const instance of ['', 'Fix the bug in {{working_dir}}.']) {
      expect(await refusal(preflight(withInstance(instance)))).toMatch(/never show the task to agent1: the agent would have nothing to do/)
    }
    const firstOnly = withInstance("{% if agent_id == 'agent1' %}{{problem_statement}}{% endif %}")
    expect(await refusal(preflight(firstOnly))).toMatch(/never show the task to agent2/)
    await expect(preflight(firstOnly, { run: { messaging: false, git: false, agents: 1 } })).rejects.toThrow(/never show the task: /)
    // A template testing the task as a real one (hundreds of characters) shows it.
    await expect(preflight(withInstance('{% if problem_statement|length > 60 %}{{problem_statement}}{% endif %}'))).resolves.toBeUndefined()
  })

  it('refuses a cost limit for a model without a price (SWE-agent would stop at its first call)', async () => {
    const message = await refusal(preflight(upstreamOptions('coop'), { model: 'openai/my-finetune' }))
    expect(message).toMatch(/no price is known for model openai\/my-finetune/)
    await expect(
      preflight(upstreamOptions('coop'), { model: 'openai/my-finetune', limits: { steps: 0, costUsd: 0, wallClockSeconds: null } }),
    ).resolves.toBeUndefined()
  })
})
