import { createRequire } from 'node:module'
import { definePlugin } from '@cooperbench/spec'
import { redisBusRegistration } from './redis-bus.js'

// package.json lies outside rootDir, so it is read at run time rather than imported.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

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
