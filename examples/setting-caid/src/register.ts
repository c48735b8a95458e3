import { definePlugin } from '@cooperbench/spec'
import { caidRegistration } from './caid-setting.js'

/** The plugin that contributes setting `caid` (`cooperbench run --setting caid`). */
export default definePlugin({
  name: 'cooperbench-setting-caid',
  version: '0.1.0',
  coreRange: '^0.1.0',
  register(api) {
    api.setting(caidRegistration)
  },
})
