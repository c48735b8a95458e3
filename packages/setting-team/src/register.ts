import { definePlugin, type PluginDefinition } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { teamSettingRegistration } from './team-setting.js'

/** The team setting as a plugin; the CLI registers it like every first-party plugin. */
export const teamPlugin: PluginDefinition = {
  name: '@cooperbench/setting-team',
  version: packageVersion(import.meta.url),
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.setting(teamSettingRegistration)
  },
}

/** The `cooperbench:register` hook: the `team` setting. */
export default definePlugin(teamPlugin)
