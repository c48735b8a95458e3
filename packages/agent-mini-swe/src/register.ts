import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { readAgentConfig } from './agent/agent-config.js'
import { miniSweAgentOptionsSchema } from './agent/options.js'
import { PROMPT_PROFILE } from './profiles/cooperbench-v1.js'

const version = packageVersion(import.meta.url)

/** The plugin of agent `mini_swe_agent` (the default `-a`; alias: the reference's `mini_swe_agent_v2`). */
export default definePlugin({
  name: '@cooperbench/agent-mini-swe',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.agent({
      name: 'mini_swe_agent',
      aliases: ['mini_swe_agent_v2'],
      // The reference table maps `mini_swe_agent_v2` to `msa_v2` itself; this is for our own name.
      shorthand: 'msa',
      specificationVersion: 'agent-v1',
      description: 'A small bash-only tool-calling loop in the spirit of mini-swe-agent v2, with messaging and context compaction',
      // A seat carried into a later phase resumes its conversation (`ctx.previous`).
      continues: true,
      optionsSchema: miniSweAgentOptionsSchema,
      // The reference's own configuration is a different prompt than our profile: never one fingerprint.
      promptSource: (options) => {
        const { reference } = readAgentConfig(options)
        return reference ? `reference-config:sha256:${reference.digest}` : PROMPT_PROFILE
      },
      // A reference configuration's `agent.step_limit` and `agent.cost_limit` (with the reference's defaults), else our options.
      ownLimits: (options) => readAgentConfig(options).ownLimits,
      // The agent and the AI SDK load when a run creates the agent, not when any command lists plugins.
      create: async ({ options }) => {
        const [{ MiniSweAgent }, { createChatModel }] = await Promise.all([import('./agent/mini-swe-agent.js'), import('./llm/index.js')])
        return new MiniSweAgent(readAgentConfig(options).options, { createModel: createChatModel })
      },
    })
  },
})
