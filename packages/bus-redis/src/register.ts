import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { redisBusRegistration } from './registration.js'

const version = packageVersion(import.meta.url)

/**
 * The plugin that contributes bus `redis` (selected by `--redis URL`). ioredis loads with the
 * first connection, so registering costs nothing to runs that do not use it.
 */
export default definePlugin({
  name: '@cooperbench/bus-redis',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.bus(redisBusRegistration)
  },
})
