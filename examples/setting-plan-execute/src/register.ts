import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { planExecuteRegistration } from './plan-execute-setting.js'

/** The plugin that contributes setting `plan-execute` (`cooperbench run --setting plan-execute`). */
export default definePlugin({
  name: 'cooperbench-setting-plan-execute',
  version: packageVersion(import.meta.url),
  coreRange: '^0.1.0',
  register(api) {
    api.setting(planExecuteRegistration)
  },
})
