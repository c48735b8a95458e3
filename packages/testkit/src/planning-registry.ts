import { builtinsPlugin } from '@cooperbench/builtins'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import type { PluginDefinition } from '@cooperbench/spec'

/**
 * A registry to plan runs with (`planRun`), as the CLI's offline: `plugins`, the builtins (the
 * oracle, the memory bus, coop and solo) and an evaluator named `default`, which planning names and
 * which never runs here. For tests of what a plugin's registration makes of a run: its limits,
 * its deadlines, its options.
 */
export async function planningRegistry(...plugins: PluginDefinition[]): Promise<PluginRegistry> {
  const registry = new PluginRegistry()
  for (const plugin of [...plugins, builtinsPlugin]) await applyPlugin(registry, plugin)
  registry.register({ name: 'planning-registry', version: '1.0.0' }, {
    kind: 'evaluator',
    name: 'default',
    specificationVersion: 'evaluator-v1',
    create: () => ({}),
  } as never)
  return registry
}
