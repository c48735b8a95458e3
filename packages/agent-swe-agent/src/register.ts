import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { ADAPTER_DEFAULTS, type SweAgentOptions, sweAgentOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin of agent `swe_agent`: upstream CooperBench's SWE-agent, run from the configuration and tool bundles the user passes. */
export default definePlugin({
  name: '@cooperbench/agent-swe-agent',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.agent({
      name: 'swe_agent',
      specificationVersion: 'agent-v1',
      description: "SWE-agent's loop as upstream CooperBench vendors it, with upstream's configuration and tool bundles (--agent-config coop.yaml)",
      optionsSchema: sweAgentOptionsSchema,
      // The configuration and every bundle file, by digest: runs with other prompts or tools are never one run.
      promptSource: async (options) => {
        const { sweAgentConfigOf } = await import('./swe-agent.js')
        return `reference-config:sha256:${sweAgentConfigOf(options as SweAgentOptions).digest}`
      },
      // The bundles' install.sh run once per task image where the backend builds images (docker): each sandbox finds their work done.
      setupLayer: async (options) => {
        const [{ sweAgentConfigOf }, { sweAgentSetupLayer }] = await Promise.all([import('./swe-agent.js'), import('./setup-layer.js')])
        return sweAgentSetupLayer(sweAgentConfigOf(options as SweAgentOptions))
      },
      // Upstream's swe_agent took only the team's prompt block: its adapter left the in-loop hook (commands, status) to a later PR.
      briefingOnly: () => true,
      // Upstream's cost limit, and no step limit (SWE-agent's `per_instance_call_limit` is never set).
      ownLimits: (options) => ({ steps: 0, costUsd: (options as SweAgentOptions).cost_limit ?? ADAPTER_DEFAULTS.cost_limit }),
      // The agent, the AI SDK and the YAML reader load when a run creates the agent, not when a command lists plugins.
      create: async () => {
        const [{ SweAgent }, { createChatModel }] = await Promise.all([import('./swe-agent.js'), import('@cooperbench/agent-mini-swe')])
        return new SweAgent({ createModel: createChatModel })
      },
    })
  },
})
