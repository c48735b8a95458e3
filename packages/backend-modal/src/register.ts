import { definePlugin } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { modalBackendOptionsSchema } from './options.js'

const version = packageVersion(import.meta.url)

/** The plugin that contributes backend `modal`, loaded by this package's `cooperbench:register` oclif hook. */
export default definePlugin({
  name: '@cooperbench/backend-modal',
  version,
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.backend({
      name: 'modal',
      specificationVersion: 'backend-v1',
      description: "task sandboxes on Modal (MODAL_TOKEN_ID/MODAL_TOKEN_SECRET or ~/.modal.toml), images pulled from the task's registry",
      optionsSchema: modalBackendOptionsSchema,
      // The SDK (gRPC, protobuf) loads when a command uses the backend, not when any command lists plugins.
      create: async (context) => {
        const { ModalBackend } = await import('./modal-backend.js')
        return new ModalBackend({ ...(context.options as object), logger: context.logger })
      },
      setup: async (context) => {
        const [{ ModalBackend }, { setupModal }] = await Promise.all([import('./modal-backend.js'), import('./setup.js')])
        return setupModal(context, { env: process.env, createBackend: async (options) => new ModalBackend({ ...options, logger: context.logger }) })
      },
    })
  },
})
