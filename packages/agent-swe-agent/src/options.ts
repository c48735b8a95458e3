import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'

/**
 * The options of agent `swe_agent`: upstream's configuration file (`--agent-config`), the folder of its bundle paths, and
 * the keys upstream's adapter reads from it; `readSweAgentConfig` checks the `agent:` block.
 */
export const sweAgentOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: {
      type: 'object',
      description:
        "SWE-agent's agent settings: the `agent:` block of upstream's config/coop.yaml or config/default.yaml (templates, tools, history_processors, max_requeries).",
    },
    config_root: {
      type: 'string',
      minLength: 1,
      description:
        "The folder the configuration's bundle paths (tools/registry, …) are relative to, as SWE-agent's SWE_AGENT_CONFIG_ROOT: src/cooperbench/agents/swe_agent of a CooperBench checkout. Relative to the working directory.",
    },
    cost_limit: {
      type: 'number',
      minimum: 0,
      description: "USD per agent (SWE-agent's per_instance_cost_limit); 0 = none. Default 0.5, upstream's adapter's. --cost-limit wins.",
    },
    temperature: { type: 'number', minimum: 0, description: "Sampling temperature. Default 0, upstream's adapter's (with top_p 1, SWE-agent's)." },
    model_base_url: { type: ['string', 'null'], minLength: 1, description: 'An OpenAI-compatible endpoint (what --model-base-url sets).' },
    send_message: {
      type: 'string',
      enum: ['command_line', 'whole'],
      description:
        "How a send_message tool call is delivered. command_line (default, upstream's): matched on the command line SWE-agent builds from the call, as upstream's adapter does (the teammate reads the shell quotes; a message is cut at its first quote and the rest runs in bash). whole: its message argument as it is.",
    },
  },
} as const satisfies OptionsSchema

/** The options as the agent reads them (the host validated them against {@link sweAgentOptionsSchema}). */
export type SweAgentOptions = OptionsOf<typeof sweAgentOptionsSchema>

/** Upstream's adapter: `per_instance_cost_limit=config.get("cost_limit", 0.5)`, `temperature=config.get("temperature", 0.0)`; no call limit. */
export const ADAPTER_DEFAULTS = { cost_limit: 0.5, temperature: 0 } as const
