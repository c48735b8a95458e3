import type { PluginDefinition, Registration } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { MemoryBus } from './memory-bus.js'
import { OracleAgent } from './oracle-agent.js'
import { coopSettingRegistration } from './settings/coop.js'
import { sequentialSettingRegistration } from './settings/sequential.js'
import { soloSettingRegistration } from './settings/solo.js'

/** The registration of agent `oracle` for a plugin's `register(api)`: `api.agent(oracleAgentRegistration)`. */
export const oracleAgentRegistration = {
  name: 'oracle',
  specificationVersion: 'agent-v1',
  shorthand: 'or',
  usesModel: false,
  collaborates: false,
  description: 'Applies gold patches (feature.patch; combined.patch in solo when they overlap): validates a dataset and the pipeline offline',
  create: () => new OracleAgent(),
} satisfies Omit<Registration<'agent'>, 'kind'>

/** The registration of bus `memory` for a plugin's `register(api)`: `api.bus(memoryBusRegistration)`. */
export const memoryBusRegistration = {
  name: 'memory',
  specificationVersion: 'bus-v1',
  description: 'In-process message bus',
  create: () => new MemoryBus(),
} satisfies Omit<Registration<'bus'>, 'kind'>

/**
 * What a run needs with no model or server: `oracle`, `memory`, upstream's `coop` and `solo`, `sequential`. The CLI registers it; a
 * script's own registry applies it (`applyPlugins(registry, [builtinsPlugin])`).
 */
export const builtinsPlugin: PluginDefinition = {
  name: '@cooperbench/builtins',
  version: packageVersion(import.meta.url),
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.agent(oracleAgentRegistration)
    api.bus(memoryBusRegistration)
    api.setting(coopSettingRegistration)
    api.setting(soloSettingRegistration)
    api.setting(sequentialSettingRegistration)
  },
}
