import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { createLocalBackend } from './local-backend.js'
import { localBackendOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes backend `local`, loaded by this package's `cooperbench:register` oclif hook and the embedded defaults. */
export default definePlugin({
  name: '@cooperbench/backend-local',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'local',
      specificationVersion: 'backend-v1',
      description: 'bubblewrap sandboxes on this machine: read-only host, no network, no daemon',
      optionsSchema: localBackendOptionsSchema,
      create: (context) => createLocalBackend(context),
    })
  },
})
