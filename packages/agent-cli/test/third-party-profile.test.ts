import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { CooperbenchError, definePlugin } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
// What a third party imports: the package's public entry point, nothing internal.
import { type CliProfile, cliAgentRegistration, claudeCodeProfile, emptySummary, hostBinary, jsonLines } from '@cooperbench/agent-cli'

/**
 * A CLI profile written as an outside plugin would write it (its own invocation and its own stream
 * parser), registered through definePlugin and created by the plugin registry as a run creates
 * it, passes the same agent conformance suite. It drives the Claude Code binary in its own way:
 * an appended system prompt, no session files, and only the events it needs read.
 */
const acmeProfile: CliProfile = {
  specificationVersion: 'cli-profile-v1',
  name: 'acme_claude',
  description: 'ACME’s Claude Code setup',
  npm: claudeCodeProfile.npm,
  reportsCost: true,
  modelId: (model) => model.replace(/^anthropic\//, ''),
  credentials(env) {
    if (!env.ANTHROPIC_API_KEY) throw new CooperbenchError('CONFIG_INVALID', 'acme_claude needs ANTHROPIC_API_KEY', { hint: 'export ANTHROPIC_API_KEY=…' })
    return { ANTHROPIC_API_KEY: env.ANTHROPIC_API_KEY }
  },
  invocation: (input) => ({
    args: [
      '-p',
      '{prompt}',
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      '--no-session-persistence',
      '--append-system-prompt',
      'You work for ACME.',
      '--model',
      input.model,
    ],
    env: { ...input.credentials, HOME: input.home, IS_SANDBOX: '1', ...(input.baseUrl ? { ANTHROPIC_BASE_URL: input.baseUrl } : {}) },
    enforces: { steps: false, cost: false },
  }),
  parseStream(lines) {
    const summary = emptySummary()
    for (const event of jsonLines(lines)) {
      if (event['type'] === 'assistant') {
        summary.steps += 1
        summary.messages.push({ role: 'assistant', content: JSON.stringify((event['message'] as { content?: unknown }).content) })
      }
      if (event['type'] === 'result') {
        summary.outcome = event['subtype'] === 'success' ? 'success' : 'error'
        summary.cost = Number(event['total_cost_usd'] ?? 0)
        summary.error = summary.outcome === 'error' ? String(event['subtype']) : null
      }
    }
    return summary
  },
}
const acmePlugin = definePlugin({
  name: 'cooperbench-agent-acme',
  version: '1.0.0',
  coreRange: '^0.1.0',
  register: (api) => api.agent(cliAgentRegistration(acmeProfile)),
})

const sandboxes = localTestSandboxes({ network: true })
afterAll(() => sandboxes.close())
// The registry's agent reads keys from the environment, as in a run.
process.env.ANTHROPIC_API_KEY ??= 'conformance-dummy-key'

describeAgentConformance('acme_claude (a third-party CLI profile)', {
  skip: sandboxes.skip || (hostBinary(acmeProfile) === null && !process.env.CI ? 'Claude Code is not installed' : false),
  createAgent: async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, acmePlugin.plugin)
    return registry.create('agent', 'acme_claude', { options: {}, logger: silentLogger })
  },
  createSandbox: sandboxes.create,
  wire: 'anthropic-messages',
  model: 'anthropic/scripted-model',
  modelOptions: (url) => ({ model_base_url: url, poll_seconds: 0.5 }),
  script: ({ goldPatch }) => [
    { toolCalls: [{ name: 'Bash', arguments: { command: applyPatchCommand(goldPatch), description: 'Apply the change' } }] },
    { content: 'Done.' },
  ],
  messaging: true,
})
