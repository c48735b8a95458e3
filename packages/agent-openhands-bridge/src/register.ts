import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
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
      // The harness's wall clock counts 3 minutes per step of it (0: the server's own default, no step bound).
      stepLimit: (options) => parseOpenHandsOptions(options).step_limit,
      release: (options) => `openhands-agent-server@${parseOpenHandsOptions(options).server_version}`,
      create: async () => {
        const { OpenHandsBridgeAgent } = await import('./openhands-agent.js')
        return new OpenHandsBridgeAgent()
      },
    })
  },
})
