import { definePlugin } from '@cooperbench/spec'
import { limitsOfOptions, packageVersion } from '@cooperbench/spec-utils'
import { openHandsImageLayer } from './image-layer.js'
import { openHandsOptionsSchema, parseOpenHandsOptions } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes agent `openhands_sdk` (alias `openhands`, the reference's name). */
export default definePlugin({
  name: '@cooperbench/agent-openhands-bridge',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.agent({
      name: 'openhands_sdk',
      aliases: ['openhands'],
      shorthand: 'oh',
      specificationVersion: 'agent-v1',
      description:
        'OpenHands agents through the upstream OpenHands agent server in the sandbox (needs task images with the server: `images build --agent openhands`)',
      optionsSchema: openHandsOptionsSchema,
      imageLayer: (options) => openHandsImageLayer(parseOpenHandsOptions(options)),
      // Its step_limit where set (0: the server's own default, no step bound); no cost limit unless set.
      ownLimits: (options) => ({ costUsd: 0, ...limitsOfOptions(parseOpenHandsOptions(options)) }),
      release: (options) => `openhands-agent-server@${parseOpenHandsOptions(options).server_version}`,
      create: async () => {
        const { OpenHandsBridgeAgent } = await import('./openhands-agent.js')
        return new OpenHandsBridgeAgent()
      },
    })
  },
})
