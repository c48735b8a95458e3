/** The contract versions this core speaks, per kind of plugin object. */
export const SPECIFICATION_VERSIONS = {
  agent: 'agent-v1',
  backend: 'backend-v1',
  bus: 'bus-v1',
  evaluator: 'evaluator-v1',
  setting: 'setting-v1',
} as const

export type PluginKind = keyof typeof SPECIFICATION_VERSIONS

export const PLUGIN_KINDS = Object.keys(SPECIFICATION_VERSIONS) as PluginKind[]
