import { OracleAgent } from './agents/oracle.js'
import { MemoryBus } from './bus/memory-bus.js'
import type { PluginDefinition } from './plugin/define-plugin.js'
import { CORE_VERSION } from './version.js'

export { CORE_VERSION }

/**
 * What core itself provides: the `oracle` agent and the `memory` bus (the `redis` bus is the
 * plugin `@cooperbench/bus-redis`, the `default` evaluator the plugin
 * `@cooperbench/evaluator-default`). The CLI registers it through the same
 * `cooperbench:register` hook as any plugin.
 */
export const builtinsPlugin: PluginDefinition = {
  name: '@cooperbench/core',
  version: CORE_VERSION,
  register(api) {
    api.agent({
      name: 'oracle',
      specificationVersion: 'agent-v1',
      shorthand: 'or',
      usesModel: false,
      description: 'Applies gold patches (feature.patch; combined.patch in solo when they overlap): validates a dataset and the pipeline offline',
      create: () => new OracleAgent(),
    })
    api.bus({
      name: 'memory',
      specificationVersion: 'bus-v1',
      description: 'In-process message bus',
      create: () => new MemoryBus(),
    })
  },
}
