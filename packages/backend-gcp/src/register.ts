import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { gcpBackendOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes backend `gcp`; the `cooperbench:register` oclif hook of this package loads it. */
export default definePlugin({
  name: '@cooperbench/backend-gcp',
  version,
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'gcp',
      specificationVersion: 'backend-v1',
      description: 'task containers on a pool of Compute Engine VMs over SSH (Application Default Credentials)',
      optionsSchema: gcpBackendOptionsSchema,
      // The Google client loads when a command uses the backend, not when any command lists plugins.
      create: async (context) => {
        const { GcpBackend } = await import('./gcp-backend.js')
        return new GcpBackend({ ...(context.options as object), logger: context.logger })
      },
      setup: async (context) => {
        const [{ GcpBackend }, { setupGcp }] = await Promise.all([import('./gcp-backend.js'), import('./setup.js')])
        return setupGcp(context, { env: process.env, createBackend: async (options) => new GcpBackend({ ...options, logger: context.logger }) })
      },
    })
  },
})
