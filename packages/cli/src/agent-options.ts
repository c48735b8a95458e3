import type { PluginRegistry } from '@cooperbench/core'
import type { ResolvedConfig } from '@cooperbench/core/config'

/**
 * The options a run gives its agent: the config file's `agents.<name>` (by name and by the alias
 * the run uses), then the `--agent-config` file, then the settings the reference passes as agent
 * options (`step_limit`, `cost_limit` when set explicitly, `model_base_url`). Those last ones go
 * only to an agent whose options schema accepts them, so a plugin with a closed schema
 * (`additionalProperties: false`) is not refused for a flag it never asked for; every agent finds
 * the base URL in `ctx.modelBaseUrl` as well.
 */
export function agentOptionsFor(
  registry: PluginRegistry,
  config: ResolvedConfig,
  layers: Record<string, string>,
  agentConfig: { options: Record<string, unknown> },
): Record<string, unknown> {
  const entry = registry.get('agent', config.agent)
  const harness: Record<string, unknown> = {
    ...(layers.stepLimit !== 'default' ? { step_limit: config.stepLimit } : {}),
    ...(layers.costLimit !== 'default' ? { cost_limit: config.costLimit } : {}),
    ...(config.modelBaseUrl ? { model_base_url: config.modelBaseUrl } : {}),
  }
  const accepted = Object.entries(harness).filter(([key]) => acceptsKey(entry.optionsSchema, key))
  return {
    ...(config.agents[entry.name] ?? {}),
    ...(config.agents[config.agent] ?? {}),
    ...agentConfig.options,
    ...Object.fromEntries(accepted),
  }
}

/** Whether an options schema lets `key` through: no schema, a declared property, or open additional properties. */
function acceptsKey(schema: unknown, key: string): boolean {
  if (!schema || typeof schema !== 'object') return true
  const { properties, additionalProperties } = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown }
  return (properties !== undefined && key in properties) || additionalProperties !== false
}
