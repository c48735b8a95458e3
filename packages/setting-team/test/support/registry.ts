import { builtinsPlugin } from '@cooperbench/builtins'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { planRun } from '@cooperbench/core/runner'
import type { CooperbenchConfig } from '@cooperbench/config'
import { teamPlugin } from '../../src/register.js'

/** A registry as the CLI's for a run offline: the builtins (oracle, memory bus, coop, solo), the team setting, an evaluator. */
export async function teamRegistry(): Promise<PluginRegistry> {
  const registry = new PluginRegistry()
  await applyPlugin(registry, builtinsPlugin)
  await applyPlugin(registry, teamPlugin)
  // Planning names the run's evaluator; which one does not matter here.
  registry.register({ name: 'test', version: '1.0.0' }, {
    kind: 'evaluator',
    name: 'default',
    specificationVersion: 'evaluator-v1',
    create: () => ({}),
  } as never)
  return registry
}

/** The run planned from flags (a script's options) and a config, as `run()` plans it, in `cwd`. */
export async function plannedRun(registry: PluginRegistry, cwd: string, flags: Record<string, unknown>, config?: CooperbenchConfig) {
  const settings = await resolveLayeredConfig({ agent: 'oracle', ...flags } as never, config, cwd)
  return { settings, plan: await planRun(registry, settings) }
}
