import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { HostFoldersBackend } from './host-folders-backend.js'

/** The plugin that contributes backend `host-folders` (the `cooperbench:register` hook of package.json). */
export default definePlugin({
  name: 'cooperbench-backend-host-folders',
  version: packageVersion(import.meta.url),
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'host-folders',
      specificationVersion: 'backend-v1',
      description: 'sandboxes as folders on this machine, commands as host processes (no isolation; agents only)',
      optionsSchema: { type: 'object', additionalProperties: false, properties: { root: { type: 'string', description: 'Where sandbox folders go.' } } },
      create: ({ options }) => new HostFoldersBackend(options.root as string | undefined),
    })
  },
})
