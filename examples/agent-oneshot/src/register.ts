import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { createOneshotAgent } from './oneshot-agent.js'
import { oneshotOwnLimits, oneshotOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/**
 * The plugin that contributes agent `oneshot`. The `cooperbench:register` oclif hook of this
 * package (see package.json) and config files naming this module load it.
 */
export default definePlugin({
  name: 'cooperbench-agent-oneshot',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.agent({
      name: 'oneshot',
      specificationVersion: 'agent-v1',
      shorthand: 'os',
      description: 'Agentless baseline: one prompt with the relevant files, one unified diff, applied with git apply (retried with the error)',
      optionsSchema: oneshotOptionsSchema,
      ownLimits: oneshotOwnLimits,
      create: ({ options, logger }) => createOneshotAgent(options, { logger }),
    })
  },
})
