import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { dockerBackendOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes backend `docker`, loaded by this package's `cooperbench:register` oclif hook. */
export default definePlugin({
  name: '@cooperbench/backend-docker',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'docker',
      specificationVersion: 'backend-v1',
      description: 'task containers on a Docker engine (DOCKER_HOST or the local socket), images pulled or built from the task Dockerfile',
      optionsSchema: dockerBackendOptionsSchema,
      // dockerode loads when a command uses the backend, not when any command lists plugins.
      create: async (context) => (await import('./docker-backend.js')).createDockerBackend(context),
    })
  },
})
