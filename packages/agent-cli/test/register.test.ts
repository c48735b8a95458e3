import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { installCommand } from '../src/binary.js'
import { cliImageLayer } from '../src/image-layer.js'
import { CliAgent, type CliProfile, claudeCodeProfile, codexProfile, qwenCodeProfile } from '../src/index.js'
import plugin from '../src/register.js'
import { RUN_LIMITS } from './support/run-limits.js'

describe('the agent-cli plugin', () => {
  it('registers claude_code and codex, each naming its pinned CLI', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    expect(registry.get('agent', 'claude_code')).toMatchObject({
      shorthand: 'cc',
      specificationVersion: 'agent-v1',
      plugin: { name: '@cooperbench/agent-cli' },
    })
    expect(registry.get('agent', 'claude_code')?.description).toContain('@anthropic-ai/claude-code@2.1.330')
    expect(registry.get('agent', 'codex')?.description).toContain('@openai/codex@0.169.0')
    // The pinned CLI is part of a run's fingerprint: another release is another run.
    expect(registry.get('agent', 'claude_code').release?.({})).toBe('@anthropic-ai/claude-code@2.1.330')
    expect(registry.get('agent', 'codex').release?.({})).toBe('@openai/codex@0.169.0')
  })

  it('tells the harness the limits its options ask for: a step limit only where set (reference: none), never a cost limit unless set', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const ownLimits = (options: Record<string, unknown>) => registry.get('agent', 'claude_code').ownLimits?.(options)
    expect(ownLimits({})).toEqual({ costUsd: 0 })
    expect(ownLimits({ step_limit: 7, cost_limit: 2 })).toEqual({ steps: 7, costUsd: 2 })
    // The reference's protocol has no step limit of its own.
    expect(ownLimits({ protocol: 'reference', prompt_template: 'prompt.json' })).toEqual({ steps: 0, costUsd: 0 })
  })

  it('creates the agent from validated options and refuses bad ones', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    expect(await registry.create('agent', 'codex', { options: { step_limit: 7 }, logger: silentLogger })).toBeInstanceOf(CliAgent)
    await expect(registry.create('agent', 'codex', { options: { step_limit: -1 }, logger: silentLogger })).rejects.toThrow(/options of agent codex/)
  })

  it('preflight names the missing key without calling anything', async () => {
    await expect(new CliAgent(codexProfile, { env: {} }).preflight({ limits: RUN_LIMITS, model: 'openai/gpt-5', options: {} })).rejects.toThrow(
      /OPENAI_API_KEY/,
    )
    await expect(
      new CliAgent(codexProfile, { env: { OPENAI_API_KEY: 'k' } }).preflight({ limits: RUN_LIMITS, model: 'openai/gpt-5', options: {} }),
    ).resolves.toBeUndefined()
  })

  it('a cost limit on a CLI that reports no cost is refused in preflight, not silently ignored', async () => {
    const agent = new CliAgent(codexProfile, { env: { OPENAI_API_KEY: 'k' } })
    await expect(agent.preflight({ model: 'openai/gpt-5', options: {}, limits: { ...RUN_LIMITS, costUsd: 2 } })).rejects.toThrow(/codex reports no cost/)
    await expect(
      new CliAgent(claudeCodeProfile, { env: { ANTHROPIC_API_KEY: 'k' } }).preflight({ model: 'm', options: {}, limits: { ...RUN_LIMITS, costUsd: 2 } }),
    ).resolves.toBeUndefined()
  })

  it('preflight finds a CLI that is not installed (here: another pinned version), before any sandbox, with the npm install that fixes it', async () => {
    for (const profile of [claudeCodeProfile, codexProfile, qwenCodeProfile]) {
      const unpinned: CliProfile = { ...profile, npm: { ...profile.npm, version: '0.0.0-not-published' } }
      const env = { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' }
      const error = await cooperbenchRejection(new CliAgent(unpinned, { env }).preflight({ limits: RUN_LIMITS, model: 'm', options: {} }))
      expect(error.code).toBe('PLUGIN_FAILED')
      expect(error.message).toContain(`${profile.npm.package}@0.0.0-not-published`)
      expect(error.message).toMatch(/is not installed on this machine/)
      expect(error.hint).toContain(`npm install --prefix ${process.cwd()} ${profile.npm.package}@0.0.0-not-published`)
      expect(error.hint).not.toMatch(/key|URL/)
      // The pinned version is installed (a devDependency), and the option `binary` names the sandbox's own CLI.
      await expect(new CliAgent(profile, { env }).preflight({ limits: RUN_LIMITS, model: 'm', options: {} })).resolves.toBeUndefined()
      await expect(new CliAgent(unpinned, { env }).preflight({ limits: RUN_LIMITS, model: 'm', options: { binary: '/opt/cli' } })).resolves.toBeUndefined()
    }
  })

  it('sandboxes without network are refused in preflight, with the option of that backend that gives them network', async () => {
    const env = { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' }
    const hints: Record<string, RegExp> = {
      local: /^Set backends\.local\.network: true /,
      docker: /^Set backends\.docker\.network to bridge \(or host for a model server on this machine\)/,
      modal: /^Give backend modal's sandboxes network in the config file \(backends\.modal\)/,
    }
    for (const profile of [claudeCodeProfile, codexProfile, qwenCodeProfile]) {
      for (const [backend, hint] of Object.entries(hints)) {
        const error = await cooperbenchRejection(
          new CliAgent(profile, { env }).preflight({ limits: RUN_LIMITS, model: 'm', options: {}, backend: { name: backend, network: false } }),
        )
        expect(error.code).toBe('CONFIG_INVALID')
        expect(error.message).toBe(
          `${profile.name} calls its model from inside the sandbox, and backend ${backend}'s sandboxes have no network: it could never reach the model`,
        )
        expect(error.hint).toMatch(hint)
      }
      await expect(
        new CliAgent(profile, { env }).preflight({ limits: RUN_LIMITS, model: 'm', options: {}, backend: { name: 'local', network: true } }),
      ).resolves.toBeUndefined()
    }
  })

  it('the install command quotes a folder with spaces', () => {
    expect(installCommand(codexProfile, "/home/a b/it's")).toBe(`npm install --prefix '/home/a b/it'\\''s' @openai/codex@0.169.0`)
  })

  it('the image layer of a CLI that is not installed fails naming the package to install', () => {
    expect(() => cliImageLayer(codexProfile, null)).toThrow(/@openai\/codex@0\.169\.0 .* is not installed/)
    const layer = cliImageLayer(codexProfile, '/some/codex')
    expect(layer).toMatchObject({ tagSuffix: '-cli-codex-0.169.0', files: [{ path: 'cli/codex', hostPath: '/some/codex' }] })
    expect(layer.dockerfile).toContain('/opt/cooperbench/cli/codex/codex --version')
  })
})
