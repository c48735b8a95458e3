import type { AgentLimits, PluginRegistry } from '@cooperbench/core'
import type { ResolvedConfig } from '@cooperbench/core/config'

/**
 * The options a run gives its agent: the config file's `agents.<name>` (by name and by the alias
 * the run uses), then the `--agent-config` file, then `model_base_url` (what `--model-base-url`
 * sets), only for an agent whose options schema accepts it, so a plugin with a closed schema
 * (`additionalProperties: false`) is not refused for a flag it never asked for; every agent finds
 * the base URL in `ctx.modelBaseUrl` as well. The run's limits are not options: see {@link agentLimitsFor}.
 */
export function agentOptionsFor(registry: PluginRegistry, config: ResolvedConfig, agentConfig: { options: Record<string, unknown> }): Record<string, unknown> {
  const entry = registry.get('agent', config.agent)
  const harness: Record<string, unknown> = config.modelBaseUrl ? { model_base_url: config.modelBaseUrl } : {}
  const accepted = Object.entries(harness).filter(([key]) => acceptsKey(entry.optionsSchema, key))
  return {
    ...(config.agents[entry.name] ?? {}),
    ...(config.agents[config.agent] ?? {}),
    ...agentConfig.options,
    ...Object.fromEntries(accepted),
  }
}

/**
 * The limits the run sets on its agents (`ctx.limits`): the step and cost limits only when set
 * explicitly (flag, environment or config file), so that otherwise each agent keeps its own
 * option or default; the wall clock whenever there is one.
 */
export function agentLimitsFor(config: ResolvedConfig, layers: Record<string, string>): AgentLimits {
  return {
    steps: layers.stepLimit !== 'default' ? config.stepLimit : null,
    costUsd: layers.costLimit !== 'default' ? config.costLimit : null,
    wallClockSeconds: config.agentTimeoutSeconds,
  }
}

/** Whether an options schema lets `key` through: no schema, a declared property, or open additional properties. */
function acceptsKey(schema: unknown, key: string): boolean {
  if (!schema || typeof schema !== 'object') return true
  const { properties, additionalProperties } = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown }
  return (properties !== undefined && key in properties) || additionalProperties !== false
}
