import { definePlugin } from '@cooperbench/spec'
import { autoClaimRegistration } from './auto-claim-setting.js'

/** The plugin that contributes setting `auto-claim` (`cooperbench run --setting auto-claim`). */
export default definePlugin({
  name: 'cooperbench-setting-auto-claim',
  version: '0.1.0',
  coreRange: '^0.1.0',
  register(api) {
    api.setting(autoClaimRegistration)
  },
})
