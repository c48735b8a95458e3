import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { createContainerCliBackend } from './container-backend.js'
import { containerCliOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/**
 * The plugin that contributes backend `container-cli`; the `cooperbench:register` oclif hook of
 * this package (see package.json) loads it, and a config file may name this module too.
 */
export default definePlugin({
  name: 'cooperbench-backend-container-cli',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'container-cli',
      specificationVersion: 'backend-v1',
      description: 'task containers driven through the docker or podman command line (no SDK, no socket access of its own)',
      optionsSchema: containerCliOptionsSchema,
      create: (context) => createContainerCliBackend(context),
    })
  },
})
