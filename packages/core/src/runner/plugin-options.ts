import type { AgentLimits } from '@cooperbench/spec'
import type { ResolvedConfig } from '@cooperbench/config'
import type { PluginRegistry } from '../plugin/registry.js'

/**
 * `agents.<name>` (by name, then the alias used), the `--agent-config` file, then `model_base_url` only if the schema accepts it (a
 * closed schema is not refused for a flag it never asked for; every agent has `ctx.modelBaseUrl`). Limits: {@link agentLimitsFor}.
 */
export function agentOptionsFor(registry: PluginRegistry, config: ResolvedConfig, agentConfig: { options: Record<string, unknown> }): Record<string, unknown> {
  const entry = registry.get('agent', config.agent)
  const harness: Record<string, unknown> = config.modelBaseUrl ? { model_base_url: config.modelBaseUrl } : {}
  const accepted = Object.entries(harness).filter(([key]) => acceptsKey(entry.optionsSchema, key))
  return {
    ...sectionOf(config.agents, entry.name, config.agent),
    ...agentConfig.options,
    ...Object.fromEntries(accepted),
  }
}

/** `ctx.limits`: a step or cost limit the run sets (flag, environment, file), else the options' (`own`), else the default; any wall clock. */
export function agentLimitsFor(config: ResolvedConfig, layers: Record<string, string>, own: Partial<Pick<AgentLimits, 'steps' | 'costUsd'>> = {}): AgentLimits {
  return {
    steps: layers.stepLimit !== 'default' ? config.stepLimit : (own.steps ?? config.stepLimit),
    costUsd: layers.costLimit !== 'default' ? config.costLimit : (own.costUsd ?? config.costLimit),
    wallClockSeconds: config.agentTimeoutSeconds,
  }
}

/** Whether an options schema lets `key` through: no schema, a declared property, or open additional properties. */
function acceptsKey(schema: unknown, key: string): boolean {
  if (!schema || typeof schema !== 'object') return true
  const { properties, additionalProperties } = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown }
  return (properties !== undefined && key in properties) || additionalProperties !== false
}

/** The options of the configured backend: its `backends.<name>` section (image naming comes to it as `FactoryContext.images`). */
export function backendOptionsFor(config: ResolvedConfig, name = config.backend): Record<string, unknown> {
  return { ...(config.backends[name] ?? {}) }
}

/** The options of the configured bus: `buses.<name>`, by its name or the alias used, and the Redis URL (`redisUrl`) as `url`. */
export function busOptionsFor(registry: PluginRegistry, config: ResolvedConfig): Record<string, unknown> {
  // Looked up, not required: a run without messaging names a bus it never opens.
  const name = registry.find('bus', config.bus)?.name ?? config.bus
  return { ...sectionOf(config.buses, name, config.bus), ...(config.redisUrl ? { url: config.redisUrl } : {}) }
}

/** The options of the configured evaluator: `evaluators.<name>`, by its name or the alias used. */
export function evaluatorOptionsFor(registry: PluginRegistry, config: ResolvedConfig): Record<string, unknown> {
  return sectionOf(config.evaluators, registry.get('evaluator', config.evaluator).name, config.evaluator)
}

/** A plugin object's section of the config (`agents`, `buses`, …): under its registered name, then under the alias the config used. */
function sectionOf(sections: Record<string, Record<string, unknown>>, name: string, alias: string): Record<string, unknown> {
  return { ...(sections[name] ?? {}), ...(sections[alias] ?? {}) }
}
